package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
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
}
