package dev.ferry.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering of the CLI module: the command line ({@code dev.ferry.cli}) uses the local mode
 * ({@code dev.ferry.local}), which uses the local API server ({@code dev.ferry.local.apiserver});
 * never the other way round, and no package takes part in a cycle.
 */
class ArchitectureTest {
    private static final String CLI = "dev.ferry.cli..";
    private static final String LOCAL_MODE = "dev.ferry.local..";
    private static final String API_SERVER = "dev.ferry.local.apiserver..";

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ferry.cli", "dev.ferry.local");

    @Test
    void packagesHaveNoCycles() {
        // (**) captures the whole package below dev.ferry: dev.ferry.local and dev.ferry.local.apiserver
        // are two slices, so a cycle between a package and its sub-package is caught too.
        slices().matching("dev.ferry.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void apiServerDependsOnNeitherTheCliNorTheRestOfTheLocalMode() {
        noClasses().that().resideInAPackage(API_SERVER)
                .should().dependOnClassesThat().resideInAPackage(CLI)
                .orShould().dependOnClassesThat(resideInAPackage(LOCAL_MODE).and(not(resideInAPackage(API_SERVER))))
                .because("the local API server is a Kubernetes API server, whoever runs it")
                .check(CLASSES);
    }

    @Test
    void localModeDoesNotDependOnTheCli() {
        noClasses().that().resideInAPackage(LOCAL_MODE)
                .should().dependOnClassesThat().resideInAPackage(CLI)
                .because("the local mode is started by the CLI's commands, and by tests without them")
                .check(CLASSES);
    }
}
