package io.github.tfloop.internal;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorData;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.bytedeco.javacpp.Pointer;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.RawTensor;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * The native handles behind TensorFlow Java objects, for {@link NativeProgram}. Operations expose
 * theirs; sessions and tensors keep theirs package-private, so they are read by reflection, once per
 * program or batch, never per step.
 */
final class NativeHandles {

  private static final Field SESSION_HANDLE;
  private static final Method TENSOR_HANDLE;
  private static final RuntimeException UNAVAILABLE;

  static {
    Field sessionHandle = null;
    Method tensorHandle = null;
    RuntimeException unavailable = null;
    try {
      sessionHandle = Session.class.getDeclaredField("nativeHandle");
      sessionHandle.setAccessible(true);
      tensorHandle = RawTensor.class.getDeclaredMethod("nativeHandle");
      tensorHandle.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable =
          new IllegalStateException(
              "native execution needs TensorFlow Java 1.1.0 on the class path; use"
                  + " LoopOptions.builder().execution(Execution.RUNNER) instead",
              e);
    }
    SESSION_HANDLE = sessionHandle;
    TENSOR_HANDLE = tensorHandle;
    UNAVAILABLE = unavailable;
  }

  private NativeHandles() {}

  /** Whether the handles can be read in this JVM. */
  static boolean available() {
    return UNAVAILABLE == null;
  }

  static TF_Session session(Session session) {
    requireAvailable();
    try {
      return (TF_Session) SESSION_HANDLE.get(session);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  static TF_Tensor tensor(Tensor tensor) {
    requireAvailable();
    try {
      return (TF_Tensor) TENSOR_HANDLE.invoke(tensor.asRawTensor());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The address of {@code tensor}'s data, valid while the tensor is open. */
  static Pointer tensorData(Tensor tensor) {
    return TF_TensorData(tensor(tensor));
  }

  static TF_Operation operation(Operation operation) {
    return ((GraphOperation) operation).getUnsafeNativeHandle();
  }

  private static void requireAvailable() {
    if (UNAVAILABLE != null) {
      throw UNAVAILABLE;
    }
  }
}
