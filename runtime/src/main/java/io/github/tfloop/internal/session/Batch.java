package io.github.tfloop.internal.session;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.InputSpec;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * The input tensors of one batch size, allocated once and refilled for every batch. Examples are
 * gathered into a staging array with {@code System.arraycopy} and copied into the tensor in one
 * piece, so filling a batch allocates nothing.
 */
public final class Batch implements AutoCloseable {

  private final int size;
  private final InputSpec[] inputs;
  private final Tensor[] tensors;
  private final Slot[] slots;

  public Batch(List<InputSpec> inputs, int size) {
    this.size = size;
    this.inputs = inputs.toArray(new InputSpec[0]);
    this.tensors = new Tensor[this.inputs.length];
    this.slots = new Slot[this.inputs.length];
    try {
      for (int i = 0; i < this.inputs.length; i++) {
        InputSpec input = this.inputs[i];
        tensors[i] = Tensor.of(input.dtype().tensorType(), input.batchShape(size));
        slots[i] = new Slot(tensors[i], input, size);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Examples per batch. */
  public int size() {
    return size;
  }

  public Tensor tensor(int slot) {
    return tensors[slot];
  }

  /** The values of input {@code slot} now in the batch: its staging array, not a copy. */
  public Object values(int slot) {
    return slots[slot].staging;
  }

  /**
   * Fills {@code input}'s tensor with {@code values}, a {@code float[]}, {@code double[]}, {@code
   * int[]} or {@code long[]} of the input's type holding exactly {@link #size()} examples.
   *
   * @throws IllegalArgumentException if the input is not one of this batch's, or the length is not
   *     that of {@code size()} examples
   */
  public void put(InputSpec input, Object values) {
    slotOf(input).put(values);
  }

  /**
   * Copies examples {@code order[from .. from + size)} of each column into the batch; a {@code
   * null} column leaves its input's tensor as it is.
   */
  public void load(Column[] columns, int[] order, int from) {
    for (int i = 0; i < slots.length; i++) {
      if (columns[i] != null) {
        slots[i].gather(columns[i].values(), order, from);
      }
    }
  }

  /**
   * Copies the first {@link #size()} examples of each array into the batch: {@code values[slot]}
   * holds input {@code slot}'s values, at least {@code size()} examples of them.
   */
  public void loadFirst(Object[] values) {
    for (int i = 0; i < slots.length; i++) {
      slots[i].copyRange(values[i], 0);
    }
  }

  /**
   * Copies every staging array ({@link #values}) into its tensor: for a batch whose staging arrays
   * were filled in place, by a stream's background thread.
   */
  public void flush() {
    for (Slot slot : slots) {
      slot.flush.run();
    }
  }

  /** Copies examples {@code from .. from + size}, in order, of each column into the batch. */
  public void loadRange(Column[] columns, int from) {
    for (int i = 0; i < slots.length; i++) {
      if (columns[i] != null) {
        slots[i].copyRange(columns[i].values(), from);
      }
    }
  }

  /**
   * A new tensor holding every example of {@code column}, copied straight from its array: what
   * {@code InGraphTraining} stores in the graph. The caller closes it.
   */
  public static Tensor wholeColumn(InputSpec input, Column column) {
    Tensor tensor = Tensor.of(input.dtype().tensorType(), input.batchShape(column.size()));
    try {
      ByteDataBuffer bytes = tensor.asRawTensor().data();
      Object values = column.values();
      switch (input.dtype()) {
        case FLOAT32 -> bytes.asFloats().write((float[]) values);
        case FLOAT64 -> bytes.asDoubles().write((double[]) values);
        case INT32 -> bytes.asInts().write((int[]) values);
        case INT64 -> bytes.asLongs().write((long[]) values);
        default -> throw new IllegalArgumentException("unsupported type " + input.dtype());
      }
      return tensor;
    } catch (RuntimeException | Error e) {
      tensor.close();
      throw e;
    }
  }

  private Slot slotOf(InputSpec input) {
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == input) {
        return slots[i];
      }
    }
    throw new IllegalArgumentException(input + " is not an input of this loop");
  }

  @Override
  public void close() {
    for (Tensor tensor : tensors) {
      if (tensor != null) {
        tensor.close();
      }
    }
  }

  /**
   * One input's tensor and its staging array. {@link #flush} copies the array into the tensor with
   * one JNI call into the tensor's memory ({@code FloatPointer.put} and its siblings), which
   * allocates nothing whatever the JIT inlines; where the native handles cannot be read it falls
   * back to ndarray's {@code DataBuffer.copyTo}.
   */
  private static final class Slot {
    private final InputSpec input;
    private final int exampleLength;
    private final int length;
    private final Object staging;
    private final Runnable flush;

    Slot(Tensor tensor, InputSpec input, int size) {
      this.input = input;
      this.exampleLength = input.exampleLength();
      this.length = size * exampleLength;
      this.staging =
          switch (input.dtype()) {
            case FLOAT32 -> new float[length];
            case FLOAT64 -> new double[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
            default -> throw new IllegalArgumentException("unsupported type " + input.dtype());
          };
      this.flush =
          NativeHandles.available()
              ? nativeCopy(NativeHandles.tensorData(tensor), staging, length)
              : bufferCopy(tensor, staging, length);
    }

    private static Runnable nativeCopy(Pointer data, Object staging, int length) {
      if (staging instanceof float[] values) {
        FloatPointer target = new FloatPointer(data);
        return () -> target.put(values, 0, length);
      } else if (staging instanceof double[] values) {
        DoublePointer target = new DoublePointer(data);
        return () -> target.put(values, 0, length);
      } else if (staging instanceof int[] values) {
        IntPointer target = new IntPointer(data);
        return () -> target.put(values, 0, length);
      } else {
        LongPointer target = new LongPointer(data);
        long[] values = (long[]) staging;
        return () -> target.put(values, 0, length);
      }
    }

    @SuppressWarnings("unchecked")
    private static Runnable bufferCopy(Tensor tensor, Object staging, int length) {
      ByteDataBuffer bytes = tensor.asRawTensor().data();
      DataBuffer<?> source;
      DataBuffer<?> target;
      if (staging instanceof float[] values) {
        source = DataBuffers.of(values, false, false);
        target = bytes.asFloats();
      } else if (staging instanceof double[] values) {
        source = DataBuffers.of(values, false, false);
        target = bytes.asDoubles();
      } else if (staging instanceof int[] values) {
        source = DataBuffers.of(values, false, false);
        target = bytes.asInts();
      } else {
        source = DataBuffers.of((long[]) staging, false, false);
        target = bytes.asLongs();
      }
      DataBuffer<Object> from = (DataBuffer<Object>) source;
      DataBuffer<Object> to = (DataBuffer<Object>) target;
      return () -> from.copyTo(to, length);
    }

    void put(Object values) {
      if (values.getClass() != staging.getClass()) {
        throw new IllegalArgumentException(
            input.name()
                + ": expected "
                + input.dtype().javaType()
                + "[] values, got "
                + values.getClass().getSimpleName());
      }
      input.requireExamples(java.lang.reflect.Array.getLength(values), length / exampleLength);
      System.arraycopy(values, 0, staging, 0, length);
      flush.run();
    }

    void gather(Object source, int[] order, int from) {
      for (int target = 0; target < length; target += exampleLength) {
        System.arraycopy(source, order[from++] * exampleLength, staging, target, exampleLength);
      }
      flush.run();
    }

    void copyRange(Object source, int from) {
      System.arraycopy(source, from * exampleLength, staging, 0, length);
      flush.run();
    }
  }
}
