package io.github.tfloop.internal;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionRun;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorData;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * A {@link Program} that calls {@code TF_SessionRun} directly with arguments prepared once: the
 * feed and fetch {@code TF_Output}s, the arrays of fed tensors and target operations, and one
 * status. A run without fetch allocates nothing on the Java heap.
 */
final class NativeProgram extends Program {

  private final TF_Session session;
  private final TF_Output feedOutputs;
  private final PointerPointer<TF_Tensor> feedValues;
  private final int feedCount;
  private final TF_Output fetchOutput;
  private final PointerPointer<TF_Tensor> fetchValue;
  private final PointerPointer<TF_Operation> targets;
  private final int targetCount;
  private final TF_Status status;
  private final Tensor[] bound;

  NativeProgram(Session session, ProgramSpec spec) {
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
      describe(fetchOutput, 0, spec.fetch());
      this.fetchValue = new PointerPointer<>(1);
    } else {
      this.fetchOutput = null;
      this.fetchValue = null;
    }
    this.status = TF_Status.newStatus();
    this.bound = new Tensor[feedCount];
  }

  private static void describe(TF_Output outputs, int index, Operand<?> operand) {
    outputs
        .getPointer(index)
        .oper(NativeHandles.operation(operand.op()))
        .index(operand.asOutput().index());
  }

  @Override
  void bind(int index, Tensor tensor) {
    if (bound[index] != tensor) {
      feedValues.put(index, NativeHandles.tensor(tensor));
      bound[index] = tensor;
    }
  }

  @Override
  void run() {
    TF_SessionRun(
        session, null, feedOutputs, feedValues, feedCount, null, null, 0, targets, targetCount,
        null, status);
    throwIfFailed();
  }

  @Override
  float runAndFetchScalar() {
    if (fetchOutput == null) {
      throw new IllegalStateException("this program fetches nothing");
    }
    TF_SessionRun(
        session, null, feedOutputs, feedValues, feedCount, fetchOutput, fetchValue, 1, targets,
        targetCount, null, status);
    throwIfFailed();
    TF_Tensor fetched = fetchValue.get(TF_Tensor.class, 0);
    try {
      return new FloatPointer(TF_TensorData(fetched)).get();
    } finally {
      TF_DeleteTensor(fetched);
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
      fetchValue.close();
    }
  }
}
