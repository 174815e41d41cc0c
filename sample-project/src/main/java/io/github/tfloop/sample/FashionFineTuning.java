package io.github.tfloop.sample;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IntColumn;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Transfer learning on Fashion-MNIST: a backbone trained on five classes, fine-tuned with a new
 * head on the other five from few labelled examples, against the same network trained from scratch
 * on those examples.
 *
 * <ol>
 *   <li>{@link FashionTransfer} trains on every training image of classes 5-9 (sandal, shirt,
 *       sneaker, bag, ankle boot) and is exported as a SavedModel;
 *   <li>a new loop starts from the exported weights but a new head ({@code LoopOptions
 *       .initialWeights}), freezes the backbone ({@code freeze}, Keras' {@code base_model.trainable
 *       = False}) and trains the head on {@code --examples} (1,000) training images of classes 0-4
 *       (T-shirt/top, trouser, pullover, dress, coat), then exports again;
 *   <li>a third loop unfreezes the backbone and trains everything, the backbone at a tenth of the
 *       learning rate ({@code learningRateMultiplier}): Keras' "unfreeze and recompile with a low
 *       learning rate";
 *   <li>the same network trains from scratch on the same examples for as many epochs.
 * </ol>
 *
 * <p>Both are evaluated on the test images of classes 0-4. The SavedModels go to {@code --work DIR}
 * if given, else to a temporary directory removed at the end. The five clothes of classes 0-4 are
 * the hard half of Fashion-MNIST, where 1,000 examples leave room to improve; {@code
 * --pretrain-classes 0-4} swaps the halves (from scratch, 1,000 examples of classes 5-9 already
 * reach about 0.95). With {@code --keras FILE}, the backbone is the hidden layer of a Keras MNIST
 * MLP instead ({@link KerasMnistTransfer}), and step 1 is skipped.
 *
 * <pre>
 * java ... io.github.tfloop.sample.FashionFineTuning [--data DIR | --subset] [--examples N]
 *     [--pretrain-classes 0-4|5-9] [--pretrain-epochs N] [--head-epochs N] [--tune-epochs N]
 *     [--backbone-multiplier M] [--work DIR] [--keras FILE]
 * </pre>
 */
public final class FashionFineTuning {

  /** The learning-rate multiplier of the backbone once it is unfrozen. */
  public static final double BACKBONE_MULTIPLIER = 0.1;

  private FashionFineTuning() {}

  /**
   * How long each part trains, on how many examples, with which seed.
   *
   * @param pretrainClasses the first of the five classes the backbone learns: 5 (or 0); the other
   *     five are fine-tuned on
   * @param examples labelled training images of the other classes for fine-tuning
   * @param pretrainEpochs epochs of the backbone on its classes
   * @param headEpochs epochs of the new head on the frozen backbone
   * @param tuneEpochs epochs of everything, the backbone at {@code backboneMultiplier}
   * @param backboneMultiplier the backbone's learning-rate multiplier once unfrozen
   * @param seed the seed of the example draw and of every loop
   */
  public record Settings(
      int pretrainClasses,
      int examples,
      int pretrainEpochs,
      int headEpochs,
      int tuneEpochs,
      double backboneMultiplier,
      long seed) {

    /**
     * For the full data set: pretraining on classes 5-9 for 3 epochs (about 2,800 batches), 1,000
     * examples of classes 0-4; 10 epochs of the head, 10 of everything with the backbone at {@value
     * #BACKBONE_MULTIPLIER} of the learning rate; seed 42.
     */
    public static Settings defaults() {
      return new Settings(5, 1000, 3, 10, 10, BACKBONE_MULTIPLIER, 42);
    }

    /**
     * For the bundled subset: as {@link #defaults()}, with 10 epochs of pretraining (its 3,000-odd
     * images of classes 5-9 make about 940 batches).
     */
    public static Settings forSubset() {
      return new Settings(5, 1000, 10, 10, 10, BACKBONE_MULTIPLIER, 42);
    }

    /** The first of the five classes fine-tuned on. */
    int tuneClasses() {
      return 5 - pretrainClasses;
    }
  }

  /**
   * What came out.
   *
   * @param pretrained the backbone's test accuracy on its own classes (NaN for a Keras backbone)
   * @param fineTuned the fine-tuned network's test accuracy on the other classes
   * @param scratch the accuracy of the same network trained from scratch on the same examples
   * @param testImages the test images of the fine-tuning classes
   */
  public record Result(double pretrained, double fineTuned, double scratch, int testImages) {

    /** How much better fine-tuning did, in accuracy. */
    public double margin() {
      return fineTuned - scratch;
    }
  }

  /**
   * The data sets: pretraining and its test, fine-tuning examples and their test; labels 0-4 in
   * each.
   */
  record Tasks(Dataset pretrain, Dataset pretrainTest, Dataset examples, Dataset test) {

    static Tasks of(FashionMnist data, Settings settings) {
      Dataset fewShot = classes(data.train(), settings.tuneClasses()).shuffle(settings.seed());
      if (fewShot.size() < settings.examples()) {
        throw new IllegalArgumentException(
            "only "
                + fewShot.size()
                + " training images of classes "
                + settings.tuneClasses()
                + "-"
                + (settings.tuneClasses() + 4)
                + " in "
                + data.source()
                + "; asked for "
                + settings.examples());
      }
      return new Tasks(
          classes(data.train(), settings.pretrainClasses()),
          classes(data.test(), settings.pretrainClasses()),
          fewShot.take(settings.examples()),
          classes(data.test(), settings.tuneClasses()));
    }
  }

  /** The examples of classes {@code first} to {@code first + 4}, relabelled 0-4. */
  static Dataset classes(Dataset data, int first) {
    int[] labels = ((IntColumn) data.column("label")).values();
    int count = 0;
    for (int label : labels) {
      if (label >= first && label < first + FashionTransfer.CLASSES) {
        count++;
      }
    }
    int[] indices = new int[count];
    int[] relabelled = new int[count];
    int next = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= first && labels[i] < first + FashionTransfer.CLASSES) {
        indices[next] = i;
        relabelled[next++] = labels[i] - first;
      }
    }
    Dataset selected = data.select(indices);
    return Dataset.builder()
        .add("image", selected.column("image"))
        .add("label", Column.of(relabelled))
        .build();
  }

  /** A generated loop, whichever class it trains. */
  private record Trainable(
      Runnable closer,
      Function<Dataset, History> fit,
      Function<Dataset, Evaluation> evaluate,
      Consumer<Path> export)
      implements AutoCloseable {

    @Override
    public void close() {
      closer.run();
    }
  }

  private static Trainable transfer(LoopOptions options) {
    FashionTransferLoop loop = FashionTransferLoop.create(new FashionTransfer(), options);
    return new Trainable(loop::close, loop::fit, loop::evaluate, loop::exportSavedModel);
  }

  private static Trainable keras(LoopOptions options) {
    KerasMnistTransferLoop loop = KerasMnistTransferLoop.create(new KerasMnistTransfer(), options);
    return new Trainable(loop::close, loop::fit, loop::evaluate, loop::exportSavedModel);
  }

  private static LoopOptions.Builder options(Settings settings, int epochs) {
    return LoopOptions.builder().seed(settings.seed()).epochs(epochs);
  }

  /**
   * Pretrains {@link FashionTransfer} on five classes, fine-tunes it on the other five, trains it
   * from scratch on the same examples, and compares. Writes SavedModels under {@code work}, which
   * must not hold {@code backbone} or {@code head} yet.
   */
  public static Result run(FashionMnist data, Settings settings, Path work) throws Exception {
    Tasks tasks = Tasks.of(data, settings);
    Path backbone = work.resolve("backbone");
    double pretrained;
    try (Trainable loop = transfer(options(settings, settings.pretrainEpochs()).build())) {
      loop.fit().apply(tasks.pretrain());
      pretrained = loop.evaluate().apply(tasks.pretrainTest()).get("accuracy");
      loop.export().accept(backbone);
    }
    log(
        "backbone on classes %d-%d: test accuracy %.4f (%d training images)",
        settings.pretrainClasses(),
        settings.pretrainClasses() + 4,
        pretrained,
        tasks.pretrain().size());
    // The exported weights, all but the head: it is new, and starts from its initialisers.
    InitialWeights weights =
        InitialWeights.from(
            backbone,
            WeightMapping.builder()
                .skip(name -> name.startsWith(FashionTransfer.HEAD + "/"))
                .keepInitial(name -> name.startsWith(FashionTransfer.HEAD + "/"))
                .build());
    return fineTuneAndCompare(
        tasks, settings, work, weights, FashionFineTuning::transfer, pretrained);
  }

  /**
   * Fine-tunes {@link KerasMnistTransfer} (the backbone from the Keras file) on the fine-tuning
   * classes, and compares it with training from scratch.
   */
  public static Result runKeras(FashionMnist data, Settings settings, Path work, Path kerasFile)
      throws Exception {
    Tasks tasks = Tasks.of(data, settings);
    return fineTuneAndCompare(
        tasks,
        settings,
        work,
        KerasMnistTransfer.pretrained(kerasFile),
        FashionFineTuning::keras,
        Double.NaN);
  }

  private static Result fineTuneAndCompare(
      Tasks tasks,
      Settings settings,
      Path work,
      InitialWeights pretrained,
      Function<LoopOptions, Trainable> create,
      double pretrainedAccuracy)
      throws Exception {
    // The head alone, on the frozen backbone (Keras: base_model.trainable = False).
    Path head = work.resolve("head");
    try (Trainable loop =
        create.apply(
            options(settings, settings.headEpochs())
                .initialWeights(pretrained)
                .freeze(FashionTransfer.BACKBONE)
                .build())) {
      loop.fit().apply(tasks.examples());
      log(
          "head on the frozen backbone: test accuracy %.4f",
          loop.evaluate().apply(tasks.test()).get("accuracy"));
      loop.export().accept(head);
    }
    // Everything, the backbone at a tenth of the learning rate (Keras: unfreeze, recompile with a
    // low learning rate).
    double fineTuned;
    try (Trainable loop =
        create.apply(
            options(settings, settings.tuneEpochs())
                .initialWeights(InitialWeights.from(head))
                .learningRateMultiplier(FashionTransfer.BACKBONE, settings.backboneMultiplier())
                .build())) {
      loop.fit().apply(tasks.examples());
      fineTuned = loop.evaluate().apply(tasks.test()).get("accuracy");
    }
    log("fine-tuned: test accuracy %.4f", fineTuned);
    // The same network from scratch, on the same examples, for as many epochs.
    double scratch;
    try (Trainable loop =
        create.apply(options(settings, settings.headEpochs() + settings.tuneEpochs()).build())) {
      loop.fit().apply(tasks.examples());
      scratch = loop.evaluate().apply(tasks.test()).get("accuracy");
    }
    log("from scratch: test accuracy %.4f", scratch);
    return new Result(pretrainedAccuracy, fineTuned, scratch, tasks.test().size());
  }

  private static void log(String format, Object... values) {
    System.out.println(String.format(Locale.ROOT, format, values));
  }

  public static void main(String[] args) throws Exception {
    boolean bundled =
        java.util.Arrays.asList(args).contains("--subset")
            || (!java.util.Arrays.asList(args).contains("--data")
                && !Files.isDirectory(FashionMnist.DEBIAN_DIRECTORY));
    Settings defaults = bundled ? Settings.forSubset() : Settings.defaults();
    int pretrainClasses = defaults.pretrainClasses();
    int examples = defaults.examples();
    int pretrainEpochs = defaults.pretrainEpochs();
    int headEpochs = defaults.headEpochs();
    int tuneEpochs = defaults.tuneEpochs();
    double multiplier = defaults.backboneMultiplier();
    Path dataDirectory = null;
    boolean subset = false;
    Path work = null;
    Path keras = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> dataDirectory = Path.of(value(args, ++i, "--data"));
        case "--subset" -> subset = true;
        case "--examples" -> examples = Integer.parseInt(value(args, ++i, "--examples"));
        case "--pretrain-classes" ->
            pretrainClasses = classGroup(value(args, ++i, "--pretrain-classes"));
        case "--pretrain-epochs" ->
            pretrainEpochs = Integer.parseInt(value(args, ++i, "--pretrain-epochs"));
        case "--head-epochs" -> headEpochs = Integer.parseInt(value(args, ++i, "--head-epochs"));
        case "--tune-epochs" -> tuneEpochs = Integer.parseInt(value(args, ++i, "--tune-epochs"));
        case "--backbone-multiplier" ->
            multiplier = Double.parseDouble(value(args, ++i, "--backbone-multiplier"));
        case "--work" -> work = Path.of(value(args, ++i, "--work"));
        case "--keras" -> keras = Path.of(value(args, ++i, "--keras"));
        default ->
            throw new IllegalArgumentException(
                "unknown argument '"
                    + args[i]
                    + "'; use --data DIR, --subset, --examples N, --pretrain-classes N, --pretrain-epochs N,"
                    + " --head-epochs N, --tune-epochs N, --backbone-multiplier X, --work DIR or"
                    + " --keras FILE");
      }
    }
    FashionMnist data =
        dataDirectory != null
            ? FashionMnist.load(dataDirectory)
            : subset ? FashionMnist.bundled() : FashionMnist.fullIfInstalled();
    Settings settings =
        new Settings(
            pretrainClasses, examples, pretrainEpochs, headEpochs, tuneEpochs, multiplier, 42);
    boolean temporary = work == null;
    if (temporary) {
      work = Files.createTempDirectory("tfloop-fine-tuning");
    }
    log(
        "Fashion-MNIST (%s): fine-tuning on %d images of classes %d-%d; SavedModels in %s",
        data.source(), examples, settings.tuneClasses(), settings.tuneClasses() + 4, work);
    long started = System.nanoTime();
    Result result =
        keras == null ? run(data, settings, work) : runKeras(data, settings, work, keras);
    log(
        "classes %d-%d, %d test images: fine-tuned %.4f, from scratch %.4f, margin %+.4f"
            + " (%.0f s in all)",
        settings.tuneClasses(),
        settings.tuneClasses() + 4,
        result.testImages(),
        result.fineTuned(),
        result.scratch(),
        result.margin(),
        (System.nanoTime() - started) / 1e9);
    if (temporary) { // the SavedModels were only a means: keep none of them
      try (java.util.stream.Stream<Path> files = Files.walk(work)) {
        for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  private static int classGroup(String group) {
    return switch (group) {
      case "0-4" -> 0;
      case "5-9" -> 5;
      default ->
          throw new IllegalArgumentException("--pretrain-classes must be 0-4 or 5-9, got " + group);
    };
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  /** For the main job: {@code --model finetune} runs this with the other arguments. */
  static boolean handles(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--model") && args[i + 1].equals("finetune")) {
        return true;
      }
    }
    return false;
  }

  /** {@code args} without {@code --model finetune}. */
  static String[] withoutModel(String[] args) {
    java.util.List<String> rest = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--model") && i + 1 < args.length && args[i + 1].equals("finetune")) {
        i++;
      } else {
        rest.add(args[i]);
      }
    }
    return rest.toArray(new String[0]);
  }
}
