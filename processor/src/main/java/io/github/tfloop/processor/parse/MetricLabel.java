package io.github.tfloop.processor.parse;

import java.util.List;

/**
 * The label input metrics are computed against.
 *
 * @param name the input's name
 * @param type its type, or {@code null} if it is not one tfloop knows
 * @param shape one example's shape
 */
public record MetricLabel(String name, DataType type, List<Integer> shape) {}
