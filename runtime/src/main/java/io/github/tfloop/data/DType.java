package io.github.tfloop.data;

import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/** The element types a loop input, and a dataset column, can hold. */
public enum DType {
  /** 32-bit float, fed from {@code float[]}. */
  FLOAT32(TFloat32.class, "float"),
  /** 64-bit float, fed from {@code double[]}. */
  FLOAT64(TFloat64.class, "double"),
  /** 32-bit integer, fed from {@code int[]}. */
  INT32(TInt32.class, "int"),
  /** 64-bit integer, fed from {@code long[]}. */
  INT64(TInt64.class, "long");

  private final Class<? extends TNumber> tensorType;
  private final String javaType;

  DType(Class<? extends TNumber> tensorType, String javaType) {
    this.tensorType = tensorType;
    this.javaType = javaType;
  }

  /** The TensorFlow Java tensor type, such as {@code TFloat32.class}. */
  public Class<? extends TNumber> tensorType() {
    return tensorType;
  }

  /** The Java element type of the arrays that hold values of this type, such as {@code float}. */
  public String javaType() {
    return javaType;
  }

  /** Whether this is a floating-point type. */
  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64;
  }
}
