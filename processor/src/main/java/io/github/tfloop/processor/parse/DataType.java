package io.github.tfloop.processor.parse;

/**
 * The TensorFlow element types the processor knows, by the class that stands for them in an {@code
 * Operand<T>}.
 */
public enum DataType {
  FLOAT32("org.tensorflow.types.TFloat32", "float", true),
  FLOAT64("org.tensorflow.types.TFloat64", "double", true),
  INT32("org.tensorflow.types.TInt32", "int", false),
  INT64("org.tensorflow.types.TInt64", "long", false);

  private final String tensorClass;
  private final String javaType;
  private final boolean floating;

  DataType(String tensorClass, String javaType, boolean floating) {
    this.tensorClass = tensorClass;
    this.javaType = javaType;
    this.floating = floating;
  }

  /**
   * The qualified name of the TensorFlow type class, such as {@code org.tensorflow.types.TFloat32}.
   */
  public String tensorClass() {
    return tensorClass;
  }

  /** The Java element type of arrays holding values of this type, such as {@code float}. */
  public String javaType() {
    return javaType;
  }

  public boolean isFloating() {
    return floating;
  }

  /** The simple name of the tensor class, such as {@code TFloat32}. */
  public String simpleName() {
    return tensorClass.substring(tensorClass.lastIndexOf('.') + 1);
  }

  /** The type whose tensor class has this qualified name, or {@code null}. */
  public static DataType ofTensorClass(String qualifiedName) {
    for (DataType type : values()) {
      if (type.tensorClass.equals(qualifiedName)) {
        return type;
      }
    }
    return null;
  }
}
