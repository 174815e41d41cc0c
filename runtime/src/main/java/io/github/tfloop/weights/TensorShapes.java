package io.github.tfloop.weights;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.TensorShapeProto;

/** Shapes as TensorFlow's protocol buffers (checkpoints, SavedModels, graphs) write them. */
final class TensorShapes {

  private TensorShapes() {}

  /** {@code proto} as a shape: {@link Shape#unknown()} when its rank is unknown. */
  static Shape of(TensorShapeProto proto) {
    if (proto.getUnknownRank()) {
      return Shape.unknown();
    }
    long[] dims = new long[proto.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = proto.getDim(i).getSize();
    }
    return Shape.of(dims);
  }
}
