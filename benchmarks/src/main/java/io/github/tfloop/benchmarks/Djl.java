package io.github.tfloop.benchmarks;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Locale;

/**
 * The peer: the same network trained with DJL on its PyTorch engine, DJL's documented custom
 * training step: per batch, the inputs become {@code NDArray}s of a sub-manager, then forward,
 * softmax cross-entropy, backward inside a {@code GradientCollector}, {@code trainer.step()}, the
 * loss read back, and the sub-manager closed. Adam with learning rate 1e-3; DJL's default
 * initialisers; PyTorch's default threads. Run with {@code -Dai.djl.offline=true}: the native
 * library comes from {@code pytorch-native-cpu} on the class path.
 */
final class Djl implements Contender {

  private final Model model;
  private final Trainer trainer;
  private final Shape imageShape;
  private final Shape labelShape;

  Djl(Network network, int batchSize) {
    model = Model.newInstance(network.name().toLowerCase(Locale.ROOT), "PyTorch");
    model.setBlock(network == Network.MLP ? mlp() : cnn());
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
            .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.001f)).build());
    trainer = model.newTrainer(config);
    imageShape =
        network == Network.MLP
            ? new Shape(batchSize, TrainingData.PIXELS)
            : new Shape(batchSize, 1, 28, 28);
    labelShape = new Shape(batchSize);
    trainer.initialize(imageShape);
  }

  private static SequentialBlock mlp() {
    return new SequentialBlock()
        .add(Linear.builder().setUnits(256).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(10).build());
  }

  private static SequentialBlock cnn() {
    return new SequentialBlock()
        .add(conv(32))
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(conv(64))
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(10).build());
  }

  private static Conv2d conv(int filters) {
    return Conv2d.builder()
        .setKernelShape(new Shape(3, 3))
        .optPadding(new Shape(1, 1))
        .setFilters(filters)
        .build();
  }

  @Override
  public float step(float[] images, int[] labels) {
    try (NDManager batch = trainer.getManager().newSubManager()) {
      NDArray x = batch.create(images, imageShape);
      NDArray y = batch.create(labels, labelShape);
      float loss;
      try (GradientCollector gradients = trainer.newGradientCollector()) {
        NDList predictions = trainer.forward(new NDList(x));
        NDArray value = trainer.getLoss().evaluate(new NDList(y), predictions);
        gradients.backward(value);
        loss = value.getFloat();
      }
      trainer.step();
      return loss;
    }
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
