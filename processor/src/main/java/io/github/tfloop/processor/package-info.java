/**
 * The tfloop annotation processor. {@link io.github.tfloop.processor.TfloopProcessor} is the entry
 * point; each {@code @TrainingLoop} class goes through four stages, one package each:
 *
 * <ol>
 *   <li>{@code parse}: the class, its annotated methods and their parameters, read into plain
 *       descriptors;
 *   <li>{@code validate}: one validator per annotation, each error reported on its element,
 *       annotation and value; nothing is generated for a class with errors;
 *   <li>{@code model}: an immutable description of the loop to generate;
 *   <li>{@code write}: the generated {@code <Name>Loop} source, through the {@code Filer}.
 * </ol>
 *
 * <p>The processor never loads TensorFlow: it names TensorFlow and runtime types by their qualified
 * names ({@link io.github.tfloop.processor.write.Names}).
 */
package io.github.tfloop.processor;
