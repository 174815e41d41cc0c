package io.github.tfloop.data.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * The allocation-free Example reader finds what TensorFlow Java's own {@code Example.parseFrom}
 * finds: random Examples, packed and unpacked lists, unknown fields, repeated keys.
 */
class ExampleReaderTest {

  private static final List<String> KEYS = List.of("image", "label", "weights", "missing");

  @Test
  void findsWhatTheProtobufParserFindsInRandomExamples() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    ExampleReader reader = new ExampleReader(KEYS);
    for (int trial = 0; trial < 500; trial++) {
      Features.Builder features = Features.newBuilder();
      for (String key : List.of("image", "label", "weights", "other", "émoji ✓")) {
        if (random.nextInt(4) == 0) {
          continue;
        }
        Feature.Builder feature = Feature.newBuilder();
        int count = random.nextInt(0, 40);
        switch (random.nextInt(4)) {
          case 0 -> {
            FloatList.Builder list = FloatList.newBuilder();
            for (int i = 0; i < count; i++) {
              list.addValue((float) random.nextGaussian());
            }
            feature.setFloatList(list);
          }
          case 1 -> {
            Int64List.Builder list = Int64List.newBuilder();
            for (int i = 0; i < count; i++) {
              list.addValue(random.nextLong(Long.MIN_VALUE, Long.MAX_VALUE));
            }
            feature.setInt64List(list);
          }
          case 2 ->
              feature.setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("x")));
          default -> {
            // a feature with no list
          }
        }
        features.putFeature(key, feature.build());
      }
      byte[] padding = new byte[random.nextInt(0, 5)];
      byte[] serialized = Example.newBuilder().setFeatures(features).build().toByteArray();
      byte[] bytes = new byte[padding.length + serialized.length + 3];
      System.arraycopy(serialized, 0, bytes, padding.length, serialized.length);
      reader.read(bytes, padding.length, padding.length + serialized.length);
      Map<String, Feature> expected = Example.parseFrom(serialized).getFeatures().getFeatureMap();
      for (int i = 0; i < KEYS.size(); i++) {
        assertSame(expected.get(KEYS.get(i)), reader, i);
      }
    }
  }

  private static void assertSame(Feature expected, ExampleReader reader, int i) throws IOException {
    if (expected == null) {
      assertEquals(ExampleReader.NONE, reader.kind(i));
      return;
    }
    switch (expected.getKindCase()) {
      case KIND_NOT_SET -> assertEquals(ExampleReader.EMPTY, reader.kind(i));
      case BYTES_LIST -> assertEquals(ExampleReader.BYTES, reader.kind(i));
      case FLOAT_LIST -> {
        assertEquals(ExampleReader.FLOATS, reader.kind(i));
        FloatList list = expected.getFloatList();
        assertEquals(list.getValueCount(), reader.count(i));
        float[] values = new float[list.getValueCount() + 2];
        reader.floats(i, values, 2);
        double[] doubles = new double[list.getValueCount()];
        reader.floats(i, doubles, 0);
        for (int j = 0; j < list.getValueCount(); j++) {
          assertEquals(list.getValue(j), values[2 + j], 0f);
          assertEquals(list.getValue(j), doubles[j], 0.0);
        }
      }
      case INT64_LIST -> {
        assertEquals(ExampleReader.INTEGERS, reader.kind(i));
        Int64List list = expected.getInt64List();
        assertEquals(list.getValueCount(), reader.count(i));
        long[] values = new long[list.getValueCount()];
        reader.integers(i, (j, value) -> values[j] = value);
        for (int j = 0; j < values.length; j++) {
          assertEquals(list.getValue(j), values[j]);
        }
      }
    }
  }

  @Test
  void readsUnpackedListsSkipsUnknownFieldsAndTakesTheLastOfARepeatedKey() throws IOException {
    byte[] floats =
        message(
            out -> {
              out.writeFloat(1, 1.5f); // unpacked
              out.writeUInt64(7, 99); // an unknown field
              out.writeFloat(1, -2f);
            });
    byte[] integers =
        message(
            out -> {
              out.writeInt64(1, -5);
              out.writeInt64(1, 1L << 40);
            });
    byte[] first = message(out -> out.writeByteArray(3, integers)); // Feature.int64_list
    byte[] second = message(out -> out.writeByteArray(2, floats)); // Feature.float_list
    byte[] features =
        message(
            out -> {
              out.writeByteArray(1, entry("image", first));
              out.writeFixed64(9, 3); // unknown
              out.writeByteArray(1, entry("label", first));
              out.writeByteArray(1, entry("image", second)); // the same key again: this one wins
            });
    byte[] example = message(out -> out.writeByteArray(1, features));
    ExampleReader reader = new ExampleReader(KEYS);
    reader.read(example, 0, example.length);
    assertEquals(ExampleReader.FLOATS, reader.kind(0));
    float[] values = new float[2];
    reader.floats(0, values, 0);
    assertArrayEquals(new float[] {1.5f, -2f}, values, 0f);
    assertEquals(ExampleReader.INTEGERS, reader.kind(1));
    List<Long> labels = new ArrayList<>();
    reader.integers(1, (j, value) -> labels.add(value));
    assertEquals(List.of(-5L, 1L << 40), labels);
    Map<String, Feature> expected = Example.parseFrom(example).getFeatures().getFeatureMap();
    assertEquals(List.of(1.5f, -2f), expected.get("image").getFloatList().getValueList());
  }

  @Test
  void malformedBytesAreReportedNotMisread() {
    byte[] example = {
      0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x01
    }; // Example.features of 5 bytes, where 4 are left
    IOException e =
        assertThrows(
            IOException.class, () -> new ExampleReader(KEYS).read(example, 0, example.length));
    assertEquals(
        "a field of 5 bytes runs past the end of its message (4 bytes left)", e.getMessage());
  }

  private static byte[] entry(String key, byte[] feature) throws IOException {
    return message(
        out -> {
          out.writeString(1, key);
          out.writeByteArray(2, feature);
        });
  }

  private interface Writes {
    void to(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writes writes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    writes.to(out);
    out.flush();
    return bytes.toByteArray();
  }
}
