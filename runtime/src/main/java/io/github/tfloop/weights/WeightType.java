package io.github.tfloop.weights;

import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The element type of a stored weight, as TensorFlow names it. Types TensorFlow Java has no tensor
 * class for are {@link #OTHER}: they are listed, but cannot be read.
 */
public enum WeightType {
  /** 32-bit float ({@code float32}, {@code DT_FLOAT}). */
  FLOAT32("float32", TFloat32.class, 4),
  /** 64-bit float. */
  FLOAT64("float64", TFloat64.class, 8),
  /** 16-bit IEEE float. */
  FLOAT16("float16", TFloat16.class, 2),
  /** 16-bit brain float. */
  BFLOAT16("bfloat16", TBfloat16.class, 2),
  /** 32-bit signed integer. */
  INT32("int32", TInt32.class, 4),
  /** 64-bit signed integer. */
  INT64("int64", TInt64.class, 8),
  /** 8-bit unsigned integer. */
  UINT8("uint8", TUint8.class, 1),
  /** 16-bit unsigned integer. */
  UINT16("uint16", TUint16.class, 2),
  /** Boolean, one byte each. */
  BOOL("bool", TBool.class, 1),
  /** Byte strings, such as a SavedModel's asset file names. */
  STRING("string", TString.class, -1),
  /** A type TensorFlow Java cannot hold (int8, int16, complex, quantized...). */
  OTHER("other", null, -1);

  private final String label;
  private final Class<? extends TType> tensorType;
  private final int bytes;

  WeightType(String label, Class<? extends TType> tensorType, int bytes) {
    this.label = label;
    this.tensorType = tensorType;
    this.bytes = bytes;
  }

  /** TensorFlow Java's tensor class for this type, or {@code null} for {@link #OTHER}. */
  public Class<? extends TType> tensorType() {
    return tensorType;
  }

  /** Bytes per element, or -1 for strings and {@link #OTHER}. */
  int byteSize() {
    return bytes;
  }

  /** The type of TensorFlow Java's tensor class {@code type}. */
  public static WeightType of(Class<? extends TType> type) {
    for (WeightType candidate : values()) {
      if (candidate.tensorType == type) {
        return candidate;
      }
    }
    return OTHER;
  }

  /** The type of TensorFlow's {@code DataType} enum constant. */
  static WeightType of(org.tensorflow.proto.DataType dtype) {
    switch (dtype) {
      case DT_FLOAT:
        return FLOAT32;
      case DT_DOUBLE:
        return FLOAT64;
      case DT_HALF:
        return FLOAT16;
      case DT_BFLOAT16:
        return BFLOAT16;
      case DT_INT32:
        return INT32;
      case DT_INT64:
        return INT64;
      case DT_UINT8:
        return UINT8;
      case DT_UINT16:
        return UINT16;
      case DT_BOOL:
        return BOOL;
      case DT_STRING:
        return STRING;
      default:
        return OTHER;
    }
  }

  /** The lower-case name TensorFlow and Keras print, such as {@code float32}. */
  @Override
  public String toString() {
    return label;
  }
}
