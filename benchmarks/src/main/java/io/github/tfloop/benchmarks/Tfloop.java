package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;

/** The loops tfloop generated for {@link Mlp} and {@link Cnn}, behind one interface. */
final class Tfloop implements Contender {

  private final MlpLoop mlp;
  private final CnnLoop cnn;

  private Tfloop(MlpLoop mlp, CnnLoop cnn) {
    this.mlp = mlp;
    this.cnn = cnn;
  }

  static Tfloop create(Network network, LoopOptions options) {
    return network == Network.MLP
        ? new Tfloop(MlpLoop.create(new Mlp(), options), null)
        : new Tfloop(null, CnnLoop.create(new Cnn(), options));
  }

  /** {@code options} with the intra-op and inter-op threads of {@code threads}, "intra:inter". */
  static LoopOptions.Builder threads(LoopOptions.Builder options, String threads) {
    String[] intraInter = threads.split(":");
    return options
        .intraOpThreads(Integer.parseInt(intraInter[0]))
        .interOpThreads(Integer.parseInt(intraInter[1]));
  }

  @Override
  public float step(float[] images, int[] labels) {
    return mlp != null ? mlp.step(images, labels) : cnn.step(images, labels);
  }

  /** Trains on {@code data} for the options' epochs: no fetch per batch. */
  void fit(Dataset data) {
    if (mlp != null) {
      mlp.fit(data);
    } else {
      cnn.fit(data);
    }
  }

  @Override
  public void close() {
    if (mlp != null) {
      mlp.close();
    } else {
      cnn.close();
    }
  }
}
