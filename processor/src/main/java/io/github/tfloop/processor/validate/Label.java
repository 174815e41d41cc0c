package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.DataType;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import java.util.List;

/**
 * The label metrics are computed against: the {@code @StandardLoss}'s, else the first
 * {@code @Label} parameter in declaration order.
 *
 * @param type its type, or {@code null} if it did not resolve to one tfloop knows
 */
record Label(String name, DataType type, List<Integer> shape) {

  /** The label metrics use, or {@code null} if the loop declares none. */
  static Label of(LoopDeclaration loop) {
    if (loop.standardLoss() != null) {
      return new Label(
          loop.standardLoss().label(),
          loop.standardLossLabelType(),
          loop.standardLoss().labelShape());
    }
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null && parameter.input().label()) {
          return new Label(
              parameter.name(), parameter.type().dataType(), parameter.input().shape());
        }
      }
    }
    return null;
  }

  /** {@code Operand<TInt32>}, as messages show the type. */
  String displayType() {
    return type == null ? "of an unknown type" : "Operand<" + type.simpleName() + ">";
  }

  /** {@code {}} or {@code {28, 28}}. */
  String displayShape() {
    return inBraces(shape);
  }

  /** A shape as annotations write it: {@code {}} or {@code {28, 28}}. */
  static String inBraces(List<Integer> shape) {
    return shape.toString().replace('[', '{').replace(']', '}');
  }
}
