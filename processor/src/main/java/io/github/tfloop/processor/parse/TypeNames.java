package io.github.tfloop.processor.parse;

/** Qualified names of the types the parser recognises in user signatures. */
public final class TypeNames {

  public static final String OPERAND = "org.tensorflow.Operand";
  public static final String OPS = "org.tensorflow.op.Ops";
  public static final String LAYERS = "io.github.tfloop.nn.Layers";
  public static final String NETWORK = "io.github.tfloop.nn.Network";

  public static final String TRAINING_LOOP = "io.github.tfloop.annotations.TrainingLoop";
  public static final String MODEL = "io.github.tfloop.annotations.Model";
  public static final String LOSS = "io.github.tfloop.annotations.Loss";
  public static final String STEP = "io.github.tfloop.annotations.Step";
  public static final String FEATURE = "io.github.tfloop.annotations.Feature";
  public static final String LABEL = "io.github.tfloop.annotations.Label";
  public static final String STANDARD_LOSS = "io.github.tfloop.annotations.StandardLoss";

  private TypeNames() {}
}
