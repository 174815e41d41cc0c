package io.github.tfloop.internal.session;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorData;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.RawTensor;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.TF_Tensor;
import org.tensorflow.proto.ConfigProto;

/**
 * The native handles behind TensorFlow Java objects, for {@link NativeProgram}. Operations expose
 * theirs; sessions and tensors keep theirs package-private, so they are read by reflection, once
 * per program or batch, never per step. Sessions on a remote target (a cluster's gRPC server),
 * which the public {@code Session} constructors cannot open, are opened here through the C API and
 * wrapped in a {@code Session} by its package-private constructor.
 */
final class NativeHandles {

  private static final Field SESSION_HANDLE;

  /**
   * {@code RawTensor.nativeHandle()}, as a method handle: called with {@code invokeExact} it
   * allocates nothing once compiled, where {@code Method.invoke} boxes its arguments on every call
   * (a stream's batches take turns, so a program binds a new tensor on every step).
   */
  private static final MethodHandle TENSOR_HANDLE;

  private static final Field GRAPH_HANDLE;
  private static final Constructor<Session> WRAP_SESSION;
  private static final RuntimeException UNAVAILABLE;

  static {
    Field sessionHandle = null;
    MethodHandle tensorHandle = null;
    Field graphHandle = null;
    Constructor<Session> wrapSession = null;
    RuntimeException unavailable = null;
    try {
      sessionHandle = Session.class.getDeclaredField("nativeHandle");
      sessionHandle.setAccessible(true);
      Method nativeHandle = RawTensor.class.getDeclaredMethod("nativeHandle");
      nativeHandle.setAccessible(true);
      tensorHandle =
          MethodHandles.lookup()
              .unreflect(nativeHandle)
              .asType(MethodType.methodType(TF_Tensor.class, RawTensor.class));
      graphHandle = Graph.class.getDeclaredField("nativeHandle");
      graphHandle.setAccessible(true);
      wrapSession = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      wrapSession.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable =
          new IllegalStateException(
              "native execution needs TensorFlow Java 1.1.0 on the class path; use"
                  + " LoopOptions.builder().execution(Execution.RUNNER) instead",
              e);
    }
    SESSION_HANDLE = sessionHandle;
    TENSOR_HANDLE = tensorHandle;
    GRAPH_HANDLE = graphHandle;
    WRAP_SESSION = wrapSession;
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
      return (TF_Tensor) TENSOR_HANDLE.invokeExact(tensor.asRawTensor());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Opens a session of {@code graph} on the TensorFlow server at {@code target}, such as {@code
   * grpc://localhost:2222}: {@code TF_SetTarget} and {@code TF_SetConfig} on the session options,
   * then {@code TF_NewSession}, as {@code Session}'s own constructor does with no target. Closing
   * the returned session closes the native one.
   */
  @SuppressWarnings("try") // the scope is there to free what is allocated in it, unreferenced
  static Session remoteSession(Graph graph, String target, ConfigProto config) {
    requireAvailable();
    TF_Session session;
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      TF_SetTarget(options, target);
      BytePointer configBytes = new BytePointer(config.toByteArray());
      TF_SetConfig(options, configBytes, configBytes.capacity(), status);
      status.throwExceptionIfNotOK();
      session = TF_Session.newSession((TF_Graph) GRAPH_HANDLE.get(graph), options, status);
      status.throwExceptionIfNotOK();
      session.retainReference(); // outlives the scope; Session.close() releases it
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    try {
      return WRAP_SESSION.newInstance(graph, session);
    } catch (InvocationTargetException | InstantiationException | IllegalAccessException e) {
      session.releaseReference();
      throw new IllegalStateException("cannot wrap the session on " + target, e);
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
