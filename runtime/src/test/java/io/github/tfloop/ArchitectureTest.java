package io.github.tfloop;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's layout, as ARCHITECTURE.md describes it: each package one stage of training,
 * dependencies one way only, and the public API never mentioning the {@code internal} packages.
 */
class ArchitectureTest {

  private static final String ROOT = "io.github.tfloop";

  /**
   * Every tfloop package each runtime package may use. A new dependency between packages is a
   * design decision: make it here and in ARCHITECTURE.md, or don't make it.
   */
  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry("data", Set.of()),
          Map.entry("data.stream", Set.of("data")),
          Map.entry("graph", Set.of()),
          Map.entry("gradients", Set.of()),
          Map.entry("nn", Set.of("graph", "weights")),
          Map.entry("loss", Set.of("gradients")),
          Map.entry("optim", Set.of("graph", "nn")),
          Map.entry("metrics", Set.of("graph")),
          Map.entry("checkpoint", Set.of("graph")),
          Map.entry("distributed", Set.of()),
          Map.entry("export", Set.of()),
          Map.entry("weights", Set.of("checkpoint")),
          Map.entry("train", Set.of("checkpoint", "distributed", "weights")),
          Map.entry("monitor", Set.of("train")),
          Map.entry("internal.session", Set.of("data", "distributed")),
          Map.entry(
              "internal.build",
              Set.of(
                  "data",
                  "distributed",
                  "gradients",
                  "graph",
                  "metrics",
                  "nn",
                  "optim",
                  "train",
                  "weights")),
          Map.entry(
              "internal.engine",
              Set.of(
                  "checkpoint",
                  "data",
                  "distributed",
                  "export",
                  "graph",
                  "internal.build",
                  "internal.session",
                  "metrics",
                  "nn",
                  "train",
                  "weights")),
          Map.entry(
              "internal.fit",
              Set.of(
                  "checkpoint",
                  "data",
                  "internal.build",
                  "internal.engine",
                  "internal.session",
                  "train")),
          Map.entry(
              "internal.cluster",
              Set.of(
                  "data",
                  "distributed",
                  "graph",
                  "internal.build",
                  "internal.engine",
                  "internal.fit",
                  "internal.session",
                  "train")),
          Map.entry(
              "internal",
              Set.of(
                  "data",
                  "distributed",
                  "internal.build",
                  "internal.cluster",
                  "internal.engine",
                  "internal.fit",
                  "internal.session",
                  "nn",
                  "train",
                  "weights")));

  private static JavaClasses runtime;

  @BeforeAll
  static void importRuntime() {
    runtime =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void everyPackageUsesOnlyThePackagesItIsAllowedTo() {
    Map<String, Set<String>> actual = new TreeMap<>();
    for (JavaClass type : runtime) {
      String from = relative(type.getPackageName());
      actual.computeIfAbsent(from, key -> new TreeSet<>());
      type.getDirectDependenciesFromSelf()
          .forEach(
              dependency -> {
                String to = dependency.getTargetClass().getPackageName();
                if (to.startsWith(ROOT + ".") && !relative(to).equals(from)) {
                  actual.get(from).add(relative(to));
                }
              });
    }
    Map<String, Set<String>> forbidden = new TreeMap<>();
    actual.forEach(
        (from, targets) -> {
          Set<String> allowed = ALLOWED.get(from);
          Set<String> extra = new TreeSet<>(targets);
          if (allowed != null) {
            extra.removeAll(allowed);
          }
          if (allowed == null || !extra.isEmpty()) {
            forbidden.put(from + (allowed == null ? " (not in the table)" : ""), extra);
          }
        });
    assertEquals(Map.of(), forbidden, "package dependencies outside ArchitectureTest.ALLOWED");
  }

  @Test
  void packagesFormNoCycle() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(runtime);
  }

  @Test
  void thePublicApiNeverUsesTheInternalPackages() {
    noClasses()
        .that()
        .resideOutsideOfPackage(ROOT + ".internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT + ".internal..")
        .check(runtime);
  }

  @Test
  void theInternalStagesDependOnEarlierStagesOnly() {
    Architectures.layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("trainer")
        .definedBy(ROOT + ".internal")
        .layer("cluster")
        .definedBy(ROOT + ".internal.cluster..")
        .layer("fit")
        .definedBy(ROOT + ".internal.fit..")
        .layer("engine")
        .definedBy(ROOT + ".internal.engine..")
        .layer("build")
        .definedBy(ROOT + ".internal.build..")
        .layer("session")
        .definedBy(ROOT + ".internal.session..")
        .whereLayer("trainer")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("cluster")
        .mayOnlyBeAccessedByLayers("trainer")
        .whereLayer("fit")
        .mayOnlyBeAccessedByLayers("trainer", "cluster")
        .whereLayer("engine")
        .mayOnlyBeAccessedByLayers("trainer", "cluster", "fit")
        .whereLayer("build")
        .mayOnlyBeAccessedByLayers("trainer", "cluster", "fit", "engine")
        .check(runtime);
  }

  private static String relative(String packageName) {
    return packageName.equals(ROOT) ? "" : packageName.substring(ROOT.length() + 1);
  }
}
