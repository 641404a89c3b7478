package org.cameldatalake;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packages are layered along the seams of a Kafka → storage sink (DESIGN.md §1): each may use only the layers
 * below it, so that a storage, a format or a source can be swapped without touching what sits under it, and no two
 * packages depend on each other.
 */
class ArchitectureTest {
    private static final String ROOT = "org.cameldatalake";

    /** Bottom first; packages in one layer may not use each other either. */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("quality"), // feed files declare its rules; it needs nothing of ours
            Set.of("feed"),
            Set.of("schema", "storage"),
            Set.of("partition"),
            Set.of("decode", "format", "metadata"),
            Set.of("sink"),
            Set.of("kafka", "ksqldb", "jdbc", "query", "report", "access", "warehouse"),
            Set.of("runtime"),
            Set.of("api", "health", "maintenance"),
            Set.of("demo"),
            Set.of("cli"),
            Set.of(""));

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void everyPackageHasItsLayer() {
        Set<String> packages = MAIN.stream().map(ArchitectureTest::subPackage).collect(Collectors.toCollection(TreeSet::new));
        Set<String> layered = LAYERS.stream().flatMap(Set::stream).collect(Collectors.toSet());
        assertThat(layered).as("packages the layers name").containsAll(packages);
    }

    @Test
    void importsPointDownwardOnly() {
        Map<String, Integer> rank = new java.util.HashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i)) {
                rank.put(p, i);
            }
        }
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i)) {
                int level = i;
                String[] notBelow = rank.entrySet().stream().filter(e -> e.getValue() >= level && !e.getKey().equals(p))
                        .map(e -> e.getKey().isEmpty() ? ROOT : ROOT + "." + e.getKey() + "..").toArray(String[]::new);
                String self = p.isEmpty() ? ROOT : ROOT + "." + p + "..";
                noClasses().that().resideInAPackage(self).should().dependOnClassesThat().resideInAnyPackage(notBelow)
                        .allowEmptyShould(true)
                        .because("package " + (p.isEmpty() ? "(root)" : p) + " may only use the layers below it")
                        .check(MAIN);
            }
        }
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }

    private static String subPackage(JavaClass c) {
        String p = c.getPackageName();
        if (p.equals(ROOT)) {
            return "";
        }
        String rest = p.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
