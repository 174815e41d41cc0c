package io.github.tfloop.internal.session;

import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * A reusable Java view of a native {@code TF_Tensor*}: pointed at each tensor {@code TF_SessionRun}
 * returns, so that reading and deleting it creates no Java object.
 */
final class TensorView extends TF_Tensor {

  /** Points this view at the tensor whose native address is {@code handle}. */
  TensorView at(long handle) {
    this.address = handle;
    return this;
  }
}
