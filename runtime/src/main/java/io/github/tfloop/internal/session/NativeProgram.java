package io.github.tfloop.internal.session;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Dim;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionRun;

import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.TF_Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A {@link Program} that calls {@code TF_SessionRun} directly with arguments prepared once: the
 * feed and fetch {@code TF_Output}s, the arrays of fed tensors and target operations, and one
 * status. No run allocates on the Java heap, not even one that fetches a scalar.
 *
 * <p>Reading a tensor's data from Java needs {@code TF_TensorData}, whose binding returns a new
 * {@code Pointer} on every call. So a fetched float scalar travels in a shape instead: the graph
 * builds an empty float tensor of shape {@code [bits, 0]}, where {@code bits} is the scalar's IEEE
 * 754 bit pattern as an unsigned 32-bit number, and {@code TF_Dim}, which returns a {@code long},
 * reads it back. The tensor has no elements, so nothing is allocated for its data either.
 */
public final class NativeProgram extends Program {

  private final TF_Session session;
  private final TF_Output feedOutputs;
  private final PointerPointer<TF_Tensor> feedValues;
  private final int feedCount;
  private final TF_Output fetchOutput;
  private final PointerPointer<TF_Tensor> fetchValue;
  private final LongPointer fetchedHandle;
  private final TensorView fetched = new TensorView();
  private final PointerPointer<TF_Operation> targets;
  private final int targetCount;
  private final TF_Status status;
  private final Tensor[] bound;

  public NativeProgram(Session session, ProgramSpec spec) {
    this.session = NativeHandles.session(session);
    this.feedCount = spec.feeds().size();
    this.feedOutputs = new TF_Output(Math.max(1, feedCount));
    for (int i = 0; i < feedCount; i++) {
      describe(feedOutputs, i, spec.feeds().get(i));
    }
    this.feedValues = new PointerPointer<>(Math.max(1, feedCount));
    this.targetCount = spec.targets().size();
    this.targets = new PointerPointer<>(Math.max(1, targetCount));
    for (int i = 0; i < targetCount; i++) {
      targets.put(i, NativeHandles.operation(spec.targets().get(i).op()));
    }
    if (spec.fetch() != null) {
      this.fetchOutput = new TF_Output(1);
      describe(fetchOutput, 0, scalarAsShape(spec.fetch()));
      this.fetchValue = new PointerPointer<>(1);
      this.fetchedHandle = new LongPointer(fetchValue);
    } else {
      this.fetchOutput = null;
      this.fetchValue = null;
      this.fetchedHandle = null;
    }
    this.status = TF_Status.newStatus();
    this.bound = new Tensor[feedCount];
  }

  /** An empty tensor of shape {@code [bits of scalar, 0]}; see the class comment. */
  private static Operand<?> scalarAsShape(Operand<?> scalar) {
    if (scalar.type() != TFloat32.class) {
      throw new IllegalArgumentException("fetch " + scalar + " is not a float32 scalar");
    }
    @SuppressWarnings("unchecked")
    Operand<TFloat32> value = (Operand<TFloat32>) scalar;
    Ops tf = Ops.create((Graph) value.env()).withSubScope("fetch_as_shape");
    Operand<TInt64> bits =
        tf.bitwise.bitwiseAnd(
            tf.dtypes.cast(tf.bitcast(value, TInt32.class), TInt64.class),
            tf.constant(0xFFFF_FFFFL));
    Operand<TInt64> shape = tf.stack(List.of(bits, tf.constant(0L)));
    return tf.fill(shape, tf.constant(0f));
  }

  private static void describe(TF_Output outputs, int index, Operand<?> operand) {
    outputs
        .getPointer(index)
        .oper(NativeHandles.operation(operand.op()))
        .index(operand.asOutput().index());
  }

  @Override
  public void bind(int index, Tensor tensor) {
    if (bound[index] != tensor) {
      feedValues.put(index, NativeHandles.tensor(tensor));
      bound[index] = tensor;
    }
  }

  @Override
  public void run() {
    TF_SessionRun(
        session,
        null,
        feedOutputs,
        feedValues,
        feedCount,
        null,
        null,
        0,
        targets,
        targetCount,
        null,
        status);
    throwIfFailed();
  }

  @Override
  public float runAndFetchScalar() {
    if (fetchOutput == null) {
      throw new IllegalStateException("this program fetches nothing");
    }
    TF_SessionRun(
        session,
        null,
        feedOutputs,
        feedValues,
        feedCount,
        fetchOutput,
        fetchValue,
        1,
        targets,
        targetCount,
        null,
        status);
    throwIfFailed();
    TensorView result = fetched.at(fetchedHandle.get(0));
    try {
      return Float.intBitsToFloat((int) TF_Dim(result, 0));
    } finally {
      TF_DeleteTensor(result);
    }
  }

  private void throwIfFailed() {
    if (TF_GetCode(status) != TF_OK) {
      status.throwExceptionIfNotOK();
    }
  }

  @Override
  public void close() {
    status.close();
    feedOutputs.close();
    feedValues.close();
    targets.close();
    if (fetchOutput != null) {
      fetchOutput.close();
      fetchedHandle.close();
      fetchValue.close();
    }
  }
}
