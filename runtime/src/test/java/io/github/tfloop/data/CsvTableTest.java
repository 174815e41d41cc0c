package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {

  private static final String CARS =
      "Name,Miles_per_Gallon,Horsepower,Origin\n"
          + "\"ford \"\"torino\"\", 500\",17,140,USA\n"
          + "vw rabbit,29.5,,Europe\n"
          + "\n"
          + "datsun 510,27,88,Japan\n";

  private static Path write(Path directory, String text) throws IOException {
    Path file = directory.resolve("cars.csv");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsQuotedFieldsAndNumbers(@TempDir Path directory) throws IOException {
    CsvTable table = CsvTable.read(write(directory, CARS));
    assertEquals(List.of("Name", "Miles_per_Gallon", "Horsepower", "Origin"), table.header());
    assertEquals(3, table.size());
    assertEquals("ford \"torino\", 500", table.row(0)[0]);
    FloatColumn mpg = table.floats("Miles_per_Gallon");
    assertArrayEquals(new float[] {17, 29.5f, 27}, mpg.values());
    assertArrayEquals(new int[] {}, mpg.exampleShape());
  }

  @Test
  void severalColumnsMakeOneVectorPerRow(@TempDir Path directory) throws IOException {
    CsvTable table = CsvTable.read(write(directory, CARS)).withoutMissing("Horsepower");
    FloatColumn features = table.floats("Miles_per_Gallon", "Horsepower");
    assertArrayEquals(new int[] {2}, features.exampleShape());
    assertArrayEquals(new float[] {17, 140, 27, 88}, features.values());
  }

  @Test
  void categoriesAreNumberedInOrderOfAppearance(@TempDir Path directory) throws IOException {
    CsvTable table = CsvTable.read(write(directory, CARS));
    assertArrayEquals(new int[] {0, 1, 2}, table.categories("Origin").values());
    assertEquals(List.of("USA", "Europe", "Japan"), table.categoryNames("Origin"));
  }

  @Test
  void aMissingValueNamesItsLineAndColumn(@TempDir Path directory) throws IOException {
    Path file = write(directory, CARS);
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> CsvTable.read(file).floats("Horsepower"));
    assertEquals(
        file
            + ":3: column 'Horsepower' holds no value; drop such rows with"
            + " withoutMissing(\"Horsepower\")",
        error.getMessage());
  }

  @Test
  void aNonNumberNamesItsLineAndColumn(@TempDir Path directory) throws IOException {
    Path file = write(directory, CARS);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> CsvTable.read(file).floats("Origin"));
    assertEquals(
        file + ":2: column 'Origin' holds 'USA', which is not a number", error.getMessage());
  }

  @Test
  void anUnknownColumnListsTheColumns(@TempDir Path directory) throws IOException {
    Path file = write(directory, CARS);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> CsvTable.read(file).floats("mpg"));
    assertEquals(
        file
            + " has no column 'mpg'; its columns are [Name, Miles_per_Gallon,"
            + " Horsepower, Origin]",
        error.getMessage());
  }

  @Test
  void aRaggedRowNamesItsLine(@TempDir Path directory) throws IOException {
    Path file = write(directory, "a,b\n1,2\n3\n");
    IOException error = assertThrows(IOException.class, () -> CsvTable.read(file));
    assertEquals(file + ":3: 1 fields, but the header has 2", error.getMessage());
  }

  // ---- errors found by an adversarial reading of the format (issue 12) ----

  /** The message of reading {@code column} of a file holding {@code text} as floats. */
  private static String floatsError(Path directory, String text, String column) throws IOException {
    Path file = write(directory, text);
    CsvTable table = CsvTable.read(file);
    return assertThrows(IllegalArgumentException.class, () -> table.floats(column))
        .getMessage()
        .replace(file.toString(), "cars.csv");
  }

  @Test
  void nonFiniteCellsAreRejected(@TempDir Path directory) throws IOException {
    assertEquals(
        "cars.csv:3: column 'y' holds 'NaN', which is not a finite number",
        floatsError(directory, "x,y\n1,2\n1,NaN\n", "y"));
    assertEquals(
        "cars.csv:2: column 'y' holds '-Infinity', which is not a finite number",
        floatsError(directory, "x,y\n2,-Infinity\n", "y"));
    assertEquals(
        "cars.csv:2: column 'y' holds '1e39', which is outside the range of a float",
        floatsError(directory, "x,y\n3,1e39\n", "y"));
  }

  @Test
  void javaNumberSuffixesAndHexAreNotCsvNumbers(@TempDir Path directory) throws IOException {
    for (String notCsv : new String[] {"12f", "3d", "0x1p3", "1_000"}) {
      assertEquals(
          "cars.csv:2: column 'x' holds '" + notCsv + "', which is not a number",
          floatsError(directory, "x\n" + notCsv + "\n", "x"));
    }
    Path good = write(directory, "x\n-1.5e3\n+.5\n7.\n 8 \n");
    assertArrayEquals(new float[] {-1500, 0.5f, 7, 8}, CsvTable.read(good).floats("x").values());
  }

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstColumnName(@TempDir Path directory) throws IOException {
    Path file = write(directory, "\uFEFFa,b\n1,2\n");
    CsvTable table = CsvTable.read(file);
    assertEquals(List.of("a", "b"), table.header());
    assertArrayEquals(new float[] {1}, table.floats("a").values());
  }

  @Test
  void quotedFieldsMaySpanLinesAndKeepTheirSpaces(@TempDir Path directory) throws IOException {
    Path file = write(directory, "name,v\r\n\" two\r\n\r\nlines \",1\r\n  \"b\" , x\r\n");
    CsvTable table = CsvTable.read(file);
    assertEquals(2, table.size());
    assertEquals(" two\n\nlines ", table.row(0)[0]);
    assertEquals("b", table.row(1)[0]);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> table.floats("v"));
    assertEquals(file + ":5: column 'v' holds 'x', which is not a number", error.getMessage());
  }

  @Test
  void anUnterminatedQuoteNamesTheLineItOpensOn(@TempDir Path directory) throws IOException {
    Path file = write(directory, "a,b\n1,2\n3,\"4\n5,6\n");
    IOException error = assertThrows(IOException.class, () -> CsvTable.read(file));
    assertEquals(
        file + ":3: the quoted field 2 opened on this line is never closed", error.getMessage());
  }

  @Test
  void textAfterAClosingQuoteIsAnError(@TempDir Path directory) throws IOException {
    Path file = write(directory, "a,b\n\"1\"2,3\n");
    IOException error = assertThrows(IOException.class, () -> CsvTable.read(file));
    assertEquals(
        file + ":2: field 1 has text after its closing quote (write a quote inside quotes as \"\")",
        error.getMessage());
  }

  @Test
  void aQuoteInsideAnUnquotedFieldIsText(@TempDir Path directory) throws IOException {
    Path file = write(directory, "size,b\n15\" screen,3\n");
    CsvTable table = CsvTable.read(file);
    assertEquals("15\" screen", table.row(0)[0]);
    assertEquals("3", table.row(0)[1]);
  }

  @Test
  void invalidUtf8NamesTheLine(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("latin1.csv");
    Files.write(file, "name,x\nok,1\nna\u00efve,2\n".getBytes(StandardCharsets.ISO_8859_1));
    IOException error = assertThrows(IOException.class, () -> CsvTable.read(file));
    assertEquals(file + ":3: not valid UTF-8 text (save the file as UTF-8)", error.getMessage());
  }

  @Test
  void aRepeatedColumnNameIsAnError(@TempDir Path directory) throws IOException {
    Path file = write(directory, "a,b,a\n1,2,3\n");
    IOException error = assertThrows(IOException.class, () -> CsvTable.read(file));
    assertEquals(file + ":1: columns 1 and 3 are both named 'a'", error.getMessage());
  }

  @Test
  void aMissingCategoryNamesItsLine(@TempDir Path directory) throws IOException {
    Path file = write(directory, "a,b\n1,x\n2,\n");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> CsvTable.read(file).categories("b"));
    assertEquals(
        file + ":3: column 'b' holds no value; drop such rows with withoutMissing(\"b\")",
        error.getMessage());
  }

  @Test
  void aDirectoryIsNotACsvFile(@TempDir Path directory) throws IOException {
    Path folder = Files.createDirectory(directory.resolve("cars.csv"));
    IOException error = assertThrows(IOException.class, () -> CsvTable.read(folder));
    assertEquals(folder + ": not a regular file (a directory?)", error.getMessage());
  }

  // ---- one call from a table to a dataset (issue 15) ----

  private static final InputSpec CAR = InputSpec.feature("car", DType.FLOAT32, 2);
  private static final InputSpec MPG = InputSpec.label("mpg", DType.FLOAT32, 1);

  @Test
  void namedColumnsFeedALoopsInputs(@TempDir Path directory) throws IOException {
    CsvTable cars = CsvTable.read(write(directory, CARS)).withoutMissing("Horsepower");
    Dataset data =
        cars.dataset(
            CAR, List.of("Horsepower", "Miles_per_Gallon"), MPG, List.of("Miles_per_Gallon"));
    assertEquals(2, data.size());
    FloatColumn car = (FloatColumn) data.columnFor(CAR, "training data");
    assertArrayEquals(new float[] {140, 17, 88, 27}, car.values());
    FloatColumn mpg = (FloatColumn) data.columnFor(MPG, "training data");
    assertArrayEquals(new int[] {1}, mpg.exampleShape());
    assertArrayEquals(new float[] {17, 27}, mpg.values());
    InputSpec precise = InputSpec.feature("hp", DType.FLOAT64);
    assertArrayEquals(
        new double[] {140, 88},
        ((DoubleColumn) cars.dataset(precise, List.of("Horsepower")).column("hp")).values());
  }

  @Test
  void integerInputsTakeWholeNumbers(@TempDir Path directory) throws IOException {
    Path file = write(directory, "x,class,name,big\n1.5,2,cat,3000000000\n2.5,0,dog,-1\n");
    CsvTable table = CsvTable.read(file);
    InputSpec label = InputSpec.label("label", DType.INT32);
    assertArrayEquals(new int[] {2, 0}, ((IntColumn) table.column(label, "class")).values());
    assertArrayEquals(
        new long[] {3_000_000_000L, -1},
        ((LongColumn) table.column(InputSpec.label("big", DType.INT64), "big")).values());
    IllegalArgumentException fraction =
        assertThrows(IllegalArgumentException.class, () -> table.column(label, "x"));
    assertEquals(
        file + ":2: column 'x' holds '1.5', which is not a whole number", fraction.getMessage());
    IllegalArgumentException names =
        assertThrows(IllegalArgumentException.class, () -> table.column(label, "name"));
    assertEquals(
        file
            + ":2: column 'name' holds 'cat', which is not a whole number; for names of classes,"
            + " use categories(\"name\")",
        names.getMessage());
    IllegalArgumentException range =
        assertThrows(IllegalArgumentException.class, () -> table.column(label, "big"));
    assertEquals(
        file + ":2: column 'big' holds '3000000000', which is outside the range of an int",
        range.getMessage());
  }

  @Test
  void theColumnsMustFillAnExample(@TempDir Path directory) throws IOException {
    Path file = write(directory, CARS);
    CsvTable table = CsvTable.read(file);
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> table.dataset(CAR, List.of("Miles_per_Gallon")));
    assertEquals(
        "input 'car' takes 2 values per example ([2]) but 1 column of "
            + file
            + " were named: [Miles_per_Gallon]",
        error.getMessage());
  }
}
