package io.github.tfloop.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TF_CONFIG in, cluster out: what is read, and the error for each thing that can be wrong. */
class ClusterTest {

  private static final String TWO_WORKERS =
      """
      {"cluster": {"ps": ["10.0.0.1:2222"],
                   "worker": ["10.0.0.2:2222", "10.0.0.3:2222"]},
       "task": {"type": "worker", "index": 1}}""";

  @Test
  void readsTheTasksAndThisProcessPlaceAmongThem() {
    Cluster cluster = Cluster.parse(TWO_WORKERS);
    assertEquals(List.of("10.0.0.1:2222"), cluster.parameterServers());
    assertEquals(List.of("10.0.0.2:2222", "10.0.0.3:2222"), cluster.workers());
    assertEquals("worker", cluster.taskType());
    assertEquals(1, cluster.taskIndex());
    assertEquals("10.0.0.3:2222", cluster.address());
    assertEquals(2222, cluster.port());
    assertFalse(cluster.isChief());
    assertFalse(cluster.isParameterServer());
    assertEquals(Cluster.DEFAULT_TIMEOUT, cluster.timeout());
    assertEquals("worker 1 of 2", cluster.describeTask());
  }

  @Test
  void workerZeroIsTheChiefAndParameterServersAreNeither() {
    Cluster chief = Cluster.parse(TWO_WORKERS).forTask("worker", 0);
    assertTrue(chief.isChief());
    assertEquals("10.0.0.2:2222", chief.address());
    Cluster ps = chief.forTask("ps", 0);
    assertTrue(ps.isParameterServer());
    assertFalse(ps.isChief());
    assertEquals("ps 0 of 1", ps.describeTask());
  }

  @Test
  void writesTfConfigThatReadsBackAsTheSameCluster() {
    Cluster cluster =
        Cluster.of(List.of("127.0.0.1:7001", "127.0.0.1:7002"), List.of("127.0.0.1:7003"), "ps", 1);
    String text = cluster.toTfConfig();
    assertEquals(
        "{\"cluster\": {\"ps\": [\"127.0.0.1:7001\", \"127.0.0.1:7002\"], \"worker\":"
            + " [\"127.0.0.1:7003\"]}, \"task\": {\"type\": \"ps\", \"index\": 1}}",
        text);
    assertEquals(cluster, Cluster.parse(text));
  }

  @Test
  void timeoutIsKeptAndChecked() {
    Cluster cluster = Cluster.parse(TWO_WORKERS).withTimeout(Duration.ofSeconds(5));
    assertEquals(Duration.ofSeconds(5), cluster.timeout());
    assertEquals(Duration.ofSeconds(5), cluster.forTask("worker", 0).timeout());
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> cluster.withTimeout(Duration.ZERO));
    assertEquals(
        "the cluster's timeout must be positive and under 24 days, got PT0S", zero.getMessage());
  }

  @Test
  void rejectsTextThatIsNotJsonNamingWhere() {
    assertEquals(
        "TF_CONFIG is not valid JSON: expected ':' at character 12", error("{\"cluster\" [}"));
    assertEquals(
        "TF_CONFIG is not valid JSON: a string is not closed at character 14",
        error("{\"cluster\": {\"ps"));
  }

  @Test
  void rejectsMissingPartsWithAnExample() {
    assertTrue(
        error("{\"task\": {\"type\": \"worker\"}}")
            .startsWith("TF_CONFIG: TF_CONFIG has no \"cluster\"; expected something like {"));
    assertTrue(
        error("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\"}}")
            .startsWith(
                "TF_CONFIG: the cluster needs at least one \"ps\" task: the parameter servers"
                    + " hold the variables, as in {"));
    assertTrue(
        error("{\"cluster\": {\"ps\": [\"a:1\"]}, \"task\": {\"type\": \"ps\"}}")
            .startsWith("TF_CONFIG: the cluster needs at least one \"worker\" task"));
    assertTrue(
        error("{\"cluster\": {\"ps\": [\"a:1\"], \"worker\": [\"b:1\"]}}")
            .startsWith("TF_CONFIG: TF_CONFIG has no \"task\""));
  }

  @Test
  void rejectsAChiefJobAndSaysWhatToDoInstead() {
    assertEquals(
        "TF_CONFIG: job \"chief\" is not supported: tfloop's clusters have \"ps\" and"
            + " \"worker\" jobs, and worker 0 is the chief; list the chief as the first worker",
        error(
            "{\"cluster\": {\"chief\": [\"a:1\"], \"ps\": [\"b:1\"], \"worker\": [\"c:1\"]},"
                + " \"task\": {\"type\": \"chief\", \"index\": 0}}"));
  }

  @Test
  void rejectsTasksThatAreNotInTheCluster() {
    assertEquals(
        "TF_CONFIG: task worker 2 is not in the cluster, which has 2 worker tasks"
            + " (indices from 0)",
        error(TWO_WORKERS.replace("\"index\": 1", "\"index\": 2")));
    assertEquals(
        "TF_CONFIG: the task type must be \"ps\" or \"worker\", got \"evaluator\"",
        error(TWO_WORKERS.replace("\"type\": \"worker\"", "\"type\": \"evaluator\"")));
    assertEquals(
        "TF_CONFIG: \"task\".\"index\" must be a task number from 0, got -1",
        error(TWO_WORKERS.replace("\"index\": 1", "\"index\": -1")));
    assertEquals(
        "TF_CONFIG: \"task\".\"index\" must be a task number from 0, got \"1\"",
        error(TWO_WORKERS.replace("\"index\": 1", "\"index\": \"1\"")));
  }

  @Test
  void rejectsBadAndSharedAddresses() {
    assertEquals(
        "TF_CONFIG: \"10.0.0.2\" is not a host:port address such as 127.0.0.1:2222",
        error(TWO_WORKERS.replace("\"10.0.0.2:2222\"", "\"10.0.0.2\"")));
    assertEquals(
        "TF_CONFIG: \"10.0.0.2:99999\" is not a host:port address such as" + " 127.0.0.1:2222",
        error(TWO_WORKERS.replace("10.0.0.2:2222", "10.0.0.2:99999")));
    assertEquals(
        "TF_CONFIG: the address 10.0.0.1:2222 is given to two tasks; every task needs"
            + " its own port",
        error(TWO_WORKERS.replace("10.0.0.2:2222", "10.0.0.1:2222")));
    assertEquals(
        "TF_CONFIG: \"cluster\".\"worker\" holds 2222, not a \"host:port\" string",
        error(TWO_WORKERS.replace("\"10.0.0.2:2222\"", "2222")));
  }

  @Test
  void theLauncherGivesEveryTaskItsOwnLoopbackPort() {
    List<String> addresses = LocalCluster.freeAddresses(64);
    assertEquals(64, new java.util.HashSet<>(addresses).size(), addresses.toString());
    assertTrue(addresses.stream().allMatch(address -> address.startsWith("127.0.0.1:")));
  }

  @Test
  void jsonReadsEscapesNumbersAndNesting() {
    Object value =
        Json.parse(
            " {\"a\": [1, -2.5e1, true, false, null, \"x\\\"\\u00e9\\n\"]," + " \"b\": {}} ",
            "test");
    assertEquals(
        Map.of("a", java.util.Arrays.asList(1L, -25.0, true, false, null, "x\"é\n"), "b", Map.of()),
        value);
    Map<String, Object> written = new LinkedHashMap<>();
    written.put("s", "q\"\\\n");
    written.put("n", List.of(1, 2));
    assertEquals("{\"s\": \"q\\\"\\\\\\n\", \"n\": [1, 2]}", Json.write(written));
    assertEquals("q\"\\\n", ((Map<?, ?>) Json.parse(Json.write(written), "test")).get("s"));
    IllegalArgumentException trailing =
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x", "test"));
    assertEquals(
        "test is not valid JSON: unexpected text after the JSON value at character 4",
        trailing.getMessage());
  }

  private static String error(String tfConfig) {
    return assertThrows(IllegalArgumentException.class, () -> Cluster.parse(tfConfig)).getMessage();
  }
}
