package com.example;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.StandardLoss;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A new user's first model: one dense unit fitting y = 2x + 1 by mean squared error. */
@TrainingLoop(batchSize = 8, seed = 7)
@StandardLoss(value = LossFunction.MEAN_SQUARED_ERROR, labelShape = {1})
public class LineFit {

  @Model
  Operand<TFloat32> y(Layers nn, @Feature(shape = {1}) Operand<TFloat32> x) {
    return nn.dense(x, 1);
  }

  @Step(optimizer = Optimizer.SGD, learningRate = 0.1)
  void train() {}
}
