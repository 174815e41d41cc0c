package io.github.tfloop.nn;

/**
 * Plain-Java forward passes of the layers, written from the Keras formulas, to check TensorFlow's
 * results against. Arrays are row-major, as TensorFlow lays tensors out; {@code x} is {@code
 * [batch][timesteps][features]} flattened.
 */
final class Reference {

  private Reference() {}

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** {@code row · matrix[:, from, from + width)} for a row-major {@code [rows, columns]} matrix. */
  private static double[] times(
      double[] row, int rowOffset, int length, double[] matrix, int columns) {
    double[] out = new double[columns];
    for (int i = 0; i < length; i++) {
      double value = row[rowOffset + i];
      for (int j = 0; j < columns; j++) {
        out[j] += value * matrix[i * columns + j];
      }
    }
    return out;
  }

  /**
   * Keras's LSTM from a zero state; every step's output, {@code [batch][timesteps][units]}
   * flattened. Kernel {@code [features, 4u]}, recurrent {@code [u, 4u]}, bias {@code [4u]}.
   */
  static double[] lstm(
      double[] x,
      int batch,
      int timesteps,
      int features,
      int units,
      double[] kernel,
      double[] recurrent,
      double[] bias) {
    double[] out = new double[batch * timesteps * units];
    for (int b = 0; b < batch; b++) {
      double[] h = new double[units];
      double[] c = new double[units];
      for (int t = 0; t < timesteps; t++) {
        double[] z = times(x, (b * timesteps + t) * features, features, kernel, 4 * units);
        double[] fromState = times(h, 0, units, recurrent, 4 * units);
        for (int j = 0; j < 4 * units; j++) {
          z[j] += fromState[j] + bias[j];
        }
        for (int u = 0; u < units; u++) {
          double i = sigmoid(z[u]);
          double f = sigmoid(z[units + u]);
          double g = Math.tanh(z[2 * units + u]);
          double o = sigmoid(z[3 * units + u]);
          c[u] = f * c[u] + i * g;
          h[u] = o * Math.tanh(c[u]);
        }
        System.arraycopy(h, 0, out, (b * timesteps + t) * units, units);
      }
    }
    return out;
  }

  /**
   * Keras 3's GRU ({@code reset_after=True}) from a zero state; every step's output. Kernel {@code
   * [features, 3u]}, recurrent {@code [u, 3u]}, bias {@code [2, 3u]}.
   */
  static double[] gru(
      double[] x,
      int batch,
      int timesteps,
      int features,
      int units,
      double[] kernel,
      double[] recurrent,
      double[] bias) {
    double[] out = new double[batch * timesteps * units];
    for (int b = 0; b < batch; b++) {
      double[] h = new double[units];
      for (int t = 0; t < timesteps; t++) {
        double[] mx = times(x, (b * timesteps + t) * features, features, kernel, 3 * units);
        double[] mh = times(h, 0, units, recurrent, 3 * units);
        for (int j = 0; j < 3 * units; j++) {
          mx[j] += bias[j];
          mh[j] += bias[3 * units + j];
        }
        double[] next = new double[units];
        for (int u = 0; u < units; u++) {
          double z = sigmoid(mx[u] + mh[u]);
          double r = sigmoid(mx[units + u] + mh[units + u]);
          double candidate = Math.tanh(mx[2 * units + u] + r * mh[2 * units + u]);
          next[u] = z * h[u] + (1 - z) * candidate;
        }
        h = next;
        System.arraycopy(h, 0, out, (b * timesteps + t) * units, units);
      }
    }
    return out;
  }

  /** The last step of every example of a {@code [batch][timesteps][units]} output. */
  static double[] lastStep(double[] sequences, int batch, int timesteps, int units) {
    double[] last = new double[batch * units];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(sequences, ((b + 1) * timesteps - 1) * units, last, b * units, units);
    }
    return last;
  }

  /**
   * Keras's MultiHeadAttention with key = value: {@code query [batch][tq][dq]}, {@code value
   * [batch][tv][dv]}; kernels {@code [d, heads, dim]}, biases {@code [heads, dim]}, output kernel
   * {@code [heads, dim, dq]}, output bias {@code [dq]}. Returns {@code [batch][tq][dq]}.
   */
  static double[] multiHeadAttention(
      double[] query,
      double[] value,
      int batch,
      int tq,
      int dq,
      int tv,
      int dv,
      int heads,
      int dim,
      boolean causal,
      double[][] weights) {
    double[] wq = weights[0];
    double[] bq = weights[1];
    double[] wk = weights[2];
    double[] bk = weights[3];
    double[] wv = weights[4];
    double[] bv = weights[5];
    double[] wo = weights[6];
    double[] bo = weights[7];
    double[] out = new double[batch * tq * dq];
    for (int b = 0; b < batch; b++) {
      // projections [t][heads * dim]
      double[][] q = project(query, b, tq, dq, wq, bq, heads * dim);
      double[][] k = project(value, b, tv, dv, wk, bk, heads * dim);
      double[][] v = project(value, b, tv, dv, wv, bv, heads * dim);
      for (int i = 0; i < tq; i++) {
        double[] context = new double[heads * dim];
        for (int n = 0; n < heads; n++) {
          double[] scores = new double[tv];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < tv; j++) {
            if (causal && j > i) {
              scores[j] = Double.NEGATIVE_INFINITY;
              continue;
            }
            double dot = 0;
            for (int d = 0; d < dim; d++) {
              dot += q[i][n * dim + d] * k[j][n * dim + d];
            }
            scores[j] = dot / Math.sqrt(dim);
            max = Math.max(max, scores[j]);
          }
          double total = 0;
          for (int j = 0; j < tv; j++) {
            scores[j] = Math.exp(scores[j] - max);
            total += scores[j];
          }
          for (int j = 0; j < tv; j++) {
            for (int d = 0; d < dim; d++) {
              context[n * dim + d] += scores[j] / total * v[j][n * dim + d];
            }
          }
        }
        for (int e = 0; e < dq; e++) {
          double sum = bo[e];
          for (int c = 0; c < heads * dim; c++) {
            sum += context[c] * wo[c * dq + e];
          }
          out[(b * tq + i) * dq + e] = sum;
        }
      }
    }
    return out;
  }

  private static double[][] project(
      double[] x, int b, int timesteps, int features, double[] kernel, double[] bias, int width) {
    double[][] out = new double[timesteps][];
    for (int t = 0; t < timesteps; t++) {
      out[t] = times(x, (b * timesteps + t) * features, features, kernel, width);
      for (int c = 0; c < width; c++) {
        out[t][c] += bias[c];
      }
    }
    return out;
  }

  /** Keras's LayerNormalization over the last axis of {@code rows × features} values. */
  static double[] layerNorm(
      double[] x, int features, double[] gamma, double[] beta, double epsilon) {
    double[] out = new double[x.length];
    for (int row = 0; row < x.length / features; row++) {
      double mean = 0;
      for (int f = 0; f < features; f++) {
        mean += x[row * features + f];
      }
      mean /= features;
      double variance = 0;
      for (int f = 0; f < features; f++) {
        double d = x[row * features + f] - mean;
        variance += d * d;
      }
      variance /= features;
      for (int f = 0; f < features; f++) {
        out[row * features + f] =
            (x[row * features + f] - mean) / Math.sqrt(variance + epsilon) * gamma[f] + beta[f];
      }
    }
    return out;
  }

  /**
   * Keras's Conv1D, {@code [batch][steps][channels]} with a {@code [size, channels, filters]}
   * kernel; {@code same} pads as TensorFlow does (the extra zero, if any, after).
   */
  static double[] conv1d(
      double[] x,
      int batch,
      int steps,
      int channels,
      double[] kernel,
      double[] bias,
      int size,
      int filters,
      int stride,
      boolean same) {
    int outSteps = same ? (steps + stride - 1) / stride : (steps - size) / stride + 1;
    int padBefore = same ? Math.max((outSteps - 1) * stride + size - steps, 0) / 2 : 0;
    double[] out = new double[batch * outSteps * filters];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < outSteps; o++) {
        for (int f = 0; f < filters; f++) {
          double sum = bias[f];
          for (int k = 0; k < size; k++) {
            int s = o * stride + k - padBefore;
            if (s < 0 || s >= steps) {
              continue;
            }
            for (int c = 0; c < channels; c++) {
              sum += x[(b * steps + s) * channels + c] * kernel[(k * channels + c) * filters + f];
            }
          }
          out[(b * outSteps + o) * filters + f] = sum;
        }
      }
    }
    return out;
  }
}
