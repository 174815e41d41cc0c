package io.github.tfloop.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.processor.validate.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code docs/errors.md} has one section per diagnostic of {@link Message}, with its kind. */
class ErrorsReferenceTest {

  private static final Path REFERENCE = Path.of("..", "docs", "errors.md");
  private static final Pattern HEADING =
      Pattern.compile("(?m)^### `(\\w+)` \\((error|warning)\\)$");

  @Test
  void everyIdIsDocumentedWithItsKind() throws IOException {
    Matcher headings = HEADING.matcher(Files.readString(REFERENCE));
    List<String> documented = new ArrayList<>();
    while (headings.find()) {
      documented.add(headings.group(1) + " (" + headings.group(2) + ")");
    }
    List<String> expected = new ArrayList<>();
    for (Message message : Message.values()) {
      expected.add(message.id() + " (" + message.kind().name().toLowerCase(Locale.ROOT) + ")");
    }
    assertEquals(expected.stream().sorted().toList(), documented.stream().sorted().toList());
  }
}
