package io.github.tfloop.sample;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.data.IntColumn;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The child JVM of {@link ConcurrentCallsTest}: four threads make random public calls (step, fit on
 * a tiny data set, evaluate, predict, globalStep, close, and a listener that closes the loop in the
 * middle of a fit) on two shared {@link FashionMlpLoop}s for a bounded time; a closed loop is
 * replaced by a new one. Any exception other than the documented {@link IllegalStateException}s is
 * printed and makes the exit status 1; a crash of the JVM is the parent's to see.
 *
 * <p>Arguments: seconds to run, then the seed.
 */
public final class ConcurrentCalls {

  private ConcurrentCalls() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.parseLong(args[0]);
    long seed = Long.parseLong(args[1]);
    Dataset data = FashionMnist.bundled().test().take(96);
    float[] images = ((FloatColumn) data.column("image")).values();
    int[] labels = ((IntColumn) data.column("label")).values();
    float[] batchImages = java.util.Arrays.copyOf(images, 32 * 28 * 28);
    int[] batchLabels = java.util.Arrays.copyOf(labels, 32);

    AtomicReferenceArray<FashionMlpLoop> loops = new AtomicReferenceArray<>(2);
    for (int i = 0; i < loops.length(); i++) {
      loops.set(i, newLoop());
    }
    Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      SplittableRandom random = new SplittableRandom(seed * 31 + t);
      threads[t] =
          new Thread(
              () -> {
                while (System.nanoTime() < deadline && unexpected.get() == null) {
                  int index = random.nextInt(loops.length());
                  FashionMlpLoop loop = loops.get(index);
                  int call = random.nextInt(8);
                  String name = CALLS[call];
                  try {
                    switch (call) {
                      case 0 -> loop.step(batchImages, batchLabels);
                      case 1 -> loop.fit(data);
                      case 2 -> loop.evaluate(data);
                      case 3 -> loop.predict(batchImages);
                      case 4 -> loop.globalStep();
                      case 5 -> {
                        if (random.nextInt(4) == 0) {
                          loop.close();
                          FashionMlpLoop replacement = newLoop();
                          if (!loops.compareAndSet(index, loop, replacement)) {
                            replacement.close(); // another thread replaced it first
                          }
                        } else {
                          loop.learningRate();
                        }
                      }
                      case 6 -> {
                        // a listener that closes its own loop in the middle of a fit
                        FashionMlpLoop[] self = new FashionMlpLoop[1];
                        try (FashionMlpLoop own = newLoop(closingAtBatch(self, 2))) {
                          self[0] = own;
                          own.fit(data);
                          throw new AssertionError("fit returned after close()");
                        } catch (IllegalStateException expected) {
                          count(outcomes, name + ": " + kind(expected));
                          continue;
                        }
                      }
                      default -> loop.predict(data);
                    }
                    count(outcomes, name + ": ok");
                  } catch (IllegalStateException expected) {
                    if (kind(expected) == null) {
                      unexpected.compareAndSet(null, expected);
                    }
                    count(outcomes, name + ": " + kind(expected));
                  } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                  }
                }
              },
              "caller-" + t);
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    for (int i = 0; i < loops.length(); i++) {
      loops.get(i).close();
    }
    System.out.println("outcomes: " + new TreeMap<>(outcomes));
    if (unexpected.get() != null) {
      System.out.println("unexpected:");
      unexpected.get().printStackTrace(System.out);
      System.exit(1);
    }
    System.out.println("done");
  }

  private static final String[] CALLS = {
    "step",
    "fit",
    "evaluate",
    "predict",
    "globalStep",
    "close-or-learningRate",
    "close-in-listener",
    "predictData"
  };

  private static FashionMlpLoop newLoop(TrainingListener... listeners) {
    LoopOptions.Builder options = LoopOptions.builder().epochs(2).intraOpThreads(1);
    for (TrainingListener listener : listeners) {
      options.listener(listener);
    }
    return FashionMlpLoop.create(new FashionMlp(), options.build());
  }

  private static TrainingListener closingAtBatch(FashionMlpLoop[] self, int batch) {
    return new TrainingListener() {
      @Override
      public void onBatchEnd(FitControl control, int epoch, int done) {
        if (done == batch) {
          self[0].close();
        }
      }
    };
  }

  private static String kind(IllegalStateException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("called while")) {
      return "busy";
    }
    if (message.contains("after close()")) {
      return "closed";
    }
    if (message.contains("was closed during")) {
      return "closed during the call";
    }
    return null; // not one of the documented ones
  }

  private static void count(Map<String, AtomicLong> outcomes, String outcome) {
    outcomes.computeIfAbsent(outcome, key -> new AtomicLong()).incrementAndGet();
  }
}
