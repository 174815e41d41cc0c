package io.github.tfloop.data.stream;

import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.InputSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntConsumer;

/**
 * One epoch of a {@link StreamingDataset}, read on background threads:
 *
 * <ol>
 *   <li>the <em>reader</em> walks the epoch's parts in order (shuffled per epoch), keeps this
 *       worker's records and packs their bytes into {@link Chunk}s;
 *   <li>{@code readers} <em>decoders</em> turn the chunks' bytes into values, in parallel;
 *   <li>the <em>batcher</em> takes the decoded chunks back in order, passes their examples through
 *       the {@link ShuffleBuffer} and copies what comes out into the caller's target arrays, a
 *       batch at a time, which it hands over through an {@link IntRing}.
 * </ol>
 *
 * Every order here is fixed by the epoch's seed and the records' numbers, never by which thread
 * finishes first, so the batches are the same from run to run. Memory is bounded: a fixed number of
 * chunks circulate, the shuffle buffer has its capacity, and the caller's target sets are reused.
 *
 * <p>A resumed epoch ({@link DataStream.Epoch#skip()} examples already trained) {@linkplain
 * ShuffleBuffer#replay replays} the shuffle over record numbers to find what the buffer held at
 * that point; the reader then reads only those records and the ones after it, skipping the rest
 * (whole parts at once where their sizes are known).
 */
final class Pipeline implements DataStream.Reader {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.data");
  private static final long SHUFFLE_SEED = 0x5348554646L;
  private static final long PARTS_SEED = 0x5041525453L;
  private static final int END = -1;
  private static final int ABORTED = -2;

  private final Source source;
  private final String name;
  private final int shard;
  private final int shards;
  private final List<InputSpec> inputs;
  private final int[] exampleLengths;
  private final int batchSize;
  private final Object[][] targets;
  private final int[] counts;
  private final IntConsumer filled;
  private final List<Part> plan;
  private final ShuffleBuffer buffer;
  private final Object[] held;

  /** Records numbered below this arrived before the resumed point. */
  private final long resumeArrived;

  /**
   * The numbers of the records the buffer held at the resumed point, ascending, and their slots.
   */
  private final long[] restoreNumbers;

  private final int[] restoreSlots;

  private final BlockingQueue<Chunk> freeChunks;
  private final BlockingQueue<Chunk> inOrder;
  private final BlockingQueue<Chunk> toDecode;
  private final IntRing ready;
  private final IntRing free;
  private final List<Thread> threads = new ArrayList<>();
  private final int decoders;

  private volatile long size;
  private volatile RuntimeException failure;
  private volatile boolean closed;
  private boolean ended;

  // What the consumer saw: batches taken, how many it had to wait for, and how long it waited.
  private long taken;
  private long waits;
  private long waitNanos;

  Pipeline(
      StreamingDataset stream,
      DataStream.Epoch epoch,
      List<InputSpec> inputs,
      int batchSize,
      Object[][] targets,
      IntConsumer filled) {
    this.source = stream.source();
    this.name = stream.toString();
    this.shard = stream.shardIndex();
    this.shards = stream.shardCount();
    this.inputs = List.copyOf(inputs);
    this.exampleLengths = inputs.stream().mapToInt(InputSpec::exampleLength).toArray();
    this.batchSize = batchSize;
    this.targets = targets;
    this.counts = new int[targets.length];
    this.filled = filled;
    this.size = epoch.knownSize() >= 0 ? epoch.knownSize() : stream.size();
    this.plan = plan(source.parts(), epoch);
    int capacity = epoch.shuffle() ? stream.shuffleCapacity() : 0;
    this.buffer =
        new ShuffleBuffer(Seeds.epoch(epoch.seed(), epoch.number(), SHUFFLE_SEED), capacity);
    this.held = new Object[inputs.size()];
    if (!buffer.passesThrough()) {
      for (int i = 0; i < held.length; i++) {
        held[i] = newArray(inputs.get(i), capacity);
      }
    }
    this.resumeArrived = buffer.replay(epoch.skip(), size);
    int restoring = buffer.passesThrough() ? 0 : buffer.filled();
    Integer[] slots = new Integer[restoring];
    for (int i = 0; i < restoring; i++) {
      slots[i] = i;
    }
    Arrays.sort(slots, (a, b) -> Long.compare(buffer.held(a), buffer.held(b)));
    this.restoreNumbers = new long[restoring];
    this.restoreSlots = new int[restoring];
    for (int i = 0; i < restoring; i++) {
      restoreSlots[i] = slots[i];
      restoreNumbers[i] = buffer.held(slots[i]);
    }
    this.decoders = stream.readerThreads();
    int chunks = 2 * decoders + 4;
    int perChunk =
        (int) Math.max(1, Math.min(256, (1 << 20) / Math.max(1, (long) source.recordBytes())));
    this.freeChunks = new ArrayBlockingQueue<>(chunks);
    for (int i = 0; i < chunks; i++) {
      freeChunks.add(new Chunk(perChunk, inputs));
    }
    this.inOrder = new ArrayBlockingQueue<>(chunks + 1);
    this.toDecode = new ArrayBlockingQueue<>(chunks);
    this.ready = new IntRing(targets.length + 1);
    this.free = new IntRing(targets.length + 1);
    for (int set = 0; set < targets.length; set++) {
      free.put(set);
    }
  }

  /** The epoch's parts: in file order, or shuffled by the epoch's seed. */
  private static List<Part> plan(List<Part> parts, DataStream.Epoch epoch) {
    List<Part> plan = new ArrayList<>(parts);
    if (epoch.shuffle()) {
      long seed = Seeds.epoch(epoch.seed(), epoch.number(), PARTS_SEED);
      for (int i = plan.size() - 1; i > 0; i--) {
        int j = Seeds.draw(seed, i, i + 1);
        Part swap = plan.get(i);
        plan.set(i, plan.get(j));
        plan.set(j, swap);
      }
    }
    return plan;
  }

  static Object newArray(InputSpec input, int examples) {
    int length = Math.multiplyExact(examples, input.exampleLength());
    return switch (input.dtype()) {
      case FLOAT32 -> new float[length];
      case FLOAT64 -> new double[length];
      case INT32 -> new int[length];
      case INT64 -> new long[length];
    };
  }

  /** Starts the threads. */
  Pipeline start() {
    threads.add(thread("read", this::read));
    for (int i = 0; i < decoders; i++) {
      Source.Decoder decoder = source.decoder(inputs);
      threads.add(thread("decode-" + (i + 1), () -> decode(decoder)));
    }
    threads.add(thread("batch", this::batch));
    threads.forEach(Thread::start);
    return this;
  }

  private Thread thread(String role, Body body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (InterruptedException e) {
                // closed
              } catch (IOException e) {
                fail(new UncheckedIOException(e.getMessage(), e));
              } catch (RuntimeException e) {
                fail(e);
              } catch (Error e) {
                fail(new IllegalStateException("reading " + name + " failed: " + e, e));
                throw e;
              }
            },
            "tfloop-stream-" + role);
    thread.setDaemon(true);
    return thread;
  }

  @FunctionalInterface
  private interface Body {
    void run() throws IOException, InterruptedException;
  }

  private void fail(RuntimeException e) {
    if (closed) {
      return;
    }
    if (failure == null) {
      failure = e;
    }
    ready.abort();
    free.abort();
    threads.forEach(Thread::interrupt);
  }

  // ---- the reader

  private void read() throws IOException, InterruptedException {
    long number = 0;
    int restore = 0;
    Chunk chunk = null;
    IoBuffers buffers = new IoBuffers();
    for (Part part : plan) {
      if (closed) {
        return;
      }
      if (part.count() >= 0) {
        long owned = Part.owned(part.key(), part.count(), shard, shards);
        boolean needed =
            number + owned > resumeArrived
                || (restore < restoreNumbers.length && restoreNumbers[restore] < number + owned);
        if (!needed) {
          number += owned; // none of its records is needed: not even opened
          continue;
        }
      }
      try (Source.PartReader reader = source.open(part, buffers)) {
        for (long r = 0; ; r++) {
          boolean mine = shards == 1 || Math.floorMod(part.key() + r, shards) == shard;
          boolean keep =
              mine
                  && (number >= resumeArrived
                      || (restore < restoreNumbers.length && restoreNumbers[restore] == number));
          if (!keep) {
            if (!reader.next(null, number)) {
              break;
            }
          } else {
            if (chunk == null) {
              chunk = freeChunks.take();
            }
            if (!reader.next(chunk, number)) {
              break;
            }
            if (number < resumeArrived) {
              restore++;
            }
            if (chunk.isFull()) {
              submit(chunk);
              chunk = null;
            }
          }
          if (mine) {
            number++;
          }
        }
      }
    }
    if (chunk != null) {
      if (chunk.count > 0) {
        submit(chunk);
      } else {
        freeChunks.put(chunk);
      }
    }
    if (restore < restoreNumbers.length) {
      throw new IllegalStateException(
          name
              + " holds "
              + number
              + " examples for this worker now, too few for the position being resumed: were"
              + " its files changed?");
    }
    size = number;
    inOrder.put(Chunk.END);
  }

  private void submit(Chunk chunk) throws InterruptedException {
    inOrder.put(chunk);
    toDecode.put(chunk);
  }

  // ---- the decoders

  private void decode(Source.Decoder decoder) throws InterruptedException {
    while (!closed) {
      Chunk chunk = toDecode.take();
      RuntimeException problem = null;
      try {
        for (int k = 0; k < chunk.count; k++) {
          decoder.decode(chunk, k);
        }
      } catch (IOException e) {
        problem = new UncheckedIOException(e.getMessage(), e);
      } catch (RuntimeException e) {
        problem = e;
      }
      chunk.decoded(problem);
    }
  }

  // ---- the batcher

  private int set = -1;
  private int position;

  private void batch() throws InterruptedException {
    int restored = 0;
    while (true) {
      Chunk chunk = inOrder.take();
      if (chunk.isEnd()) {
        break;
      }
      chunk.awaitDecoded();
      for (int k = 0; k < chunk.count; k++) {
        long number = chunk.number[k];
        if (number < resumeArrived) {
          if (restored >= restoreNumbers.length || restoreNumbers[restored] != number) {
            throw new IllegalStateException(
                "internal error: record " + number + " was not expected while resuming " + name);
          }
          copy(chunk.values, k, held, restoreSlots[restored++]);
        } else if (buffer.passesThrough()) {
          buffer.pass();
          emit(chunk.values, k);
        } else if (!buffer.full()) {
          copy(chunk.values, k, held, buffer.append(number));
        } else {
          int slot = buffer.exchange(number);
          emit(held, slot);
          copy(chunk.values, k, held, slot);
        }
      }
      chunk.clear();
      freeChunks.put(chunk);
    }
    if (!buffer.passesThrough()) {
      while (buffer.filled() > 0) {
        int slot = buffer.drain();
        emit(held, slot);
        int last = buffer.filled();
        if (last != slot) {
          copy(held, last, held, slot);
        }
      }
    }
    if (set >= 0 && position > 0) {
      publish();
    }
    ready.put(END);
  }

  private void copy(Object[] from, int fromExample, Object[] to, int toExample) {
    for (int i = 0; i < from.length; i++) {
      int length = exampleLengths[i];
      System.arraycopy(from[i], fromExample * length, to[i], toExample * length, length);
    }
  }

  private void emit(Object[] from, int example) throws InterruptedException {
    if (set < 0) {
      set = free.take(ABORTED);
      if (set == ABORTED) {
        throw new InterruptedException();
      }
      position = 0;
    }
    copy(from, example, targets[set], position);
    if (++position == batchSize) {
      publish();
    }
  }

  private void publish() throws InterruptedException {
    counts[set] = position;
    filled.accept(set);
    if (!ready.put(set)) {
      throw new InterruptedException();
    }
    set = -1;
  }

  // ---- the consumer's side

  @Override
  public int next() {
    if (ended) {
      return END;
    }
    RuntimeException problem = failure;
    if (problem == null) {
      long waited = ready.isEmpty() ? System.nanoTime() : 0;
      int set = ready.take(ABORTED);
      if (waited != 0) {
        waits++;
        waitNanos += System.nanoTime() - waited;
      }
      if (set == END) {
        ended = true;
        return END;
      }
      if (set != ABORTED) {
        taken++;
        return set;
      }
      problem = failure;
      if (problem == null) {
        throw new IllegalStateException(name + " was closed while it was read");
      }
    }
    throw rethrown(problem);
  }

  /** {@code problem}, from a background thread, as a new exception of this thread. */
  private static RuntimeException rethrown(RuntimeException problem) {
    if (problem instanceof UncheckedIOException io) {
      UncheckedIOException again = new UncheckedIOException(io.getMessage(), io.getCause());
      again.addSuppressed(io);
      return again;
    }
    if (problem instanceof IllegalArgumentException) {
      return new IllegalArgumentException(problem.getMessage(), problem);
    }
    return new IllegalStateException(problem.getMessage(), problem);
  }

  @Override
  public int count(int set) {
    return counts[set];
  }

  @Override
  public void release(int set) {
    free.put(set);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.log(
        System.Logger.Level.DEBUG,
        () ->
            String.format(
                java.util.Locale.ROOT,
                "%s: %d batches taken; the consumer waited for %d of them, %.1f ms in all",
                name,
                taken,
                waits,
                waitNanos / 1e6));
    ready.abort();
    free.abort();
    boolean interrupted = false;
    for (Thread thread : threads) {
      thread.interrupt();
    }
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
