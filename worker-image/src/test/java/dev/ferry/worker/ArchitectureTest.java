package dev.ferry.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The worker's package structure: the entry points (main, the worker process, the task runner that
 * dispatches to the engines) in the root package; the engines (plan, copy, parts) over shared
 * machinery (multipart, manifests, the Lease) over the store (s3) over the kernel (task holding,
 * source paths and errors, settings, meters, the JIT's scope). Dependencies point down only.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.ferry.worker";

    private static final JavaClasses WORKER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void subPackagesDoNotDependOnEachOtherInACycle() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(WORKER);
    }

    @Test
    void noSubPackageDependsOnTheEntryPointsInTheRootPackage() {
        noClasses().that().resideInAPackage(ROOT + "..").and().resideOutsideOfPackage(ROOT)
                .should().dependOnClassesThat().resideInAPackage(ROOT)
                .check(WORKER);
    }

    @Test
    void planningDoesNotDependOnTheCopyEngines() {
        noClasses().that().resideInAPackage(ROOT + ".plan..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".copy..", ROOT + ".parts..")
                .check(WORKER);
    }

    @Test
    void thePerFileEngineDoesNotDependOnThePartsEngine() {
        noClasses().that().resideInAPackage(ROOT + ".copy..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".parts..")
                .check(WORKER);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                .layer("Entry points").definedBy(ROOT)
                .layer("Engines").definedBy(ROOT + ".plan..", ROOT + ".copy..", ROOT + ".parts..", ROOT + ".audit..")
                .layer("Shared machinery").definedBy(ROOT + ".multipart..", ROOT + ".manifest..", ROOT + ".lease..",
                        ROOT + ".events..")
                .layer("Store").definedBy(ROOT + ".s3..")
                .layer("Kernel").definedBy(ROOT + ".task..", ROOT + ".source..", ROOT + ".config..",
                        ROOT + ".metrics..", ROOT + ".jit..")
                .whereLayer("Entry points").mayNotBeAccessedByAnyLayer()
                .whereLayer("Engines").mayOnlyBeAccessedByLayers("Entry points")
                .whereLayer("Shared machinery").mayOnlyBeAccessedByLayers("Entry points", "Engines")
                .whereLayer("Store").mayOnlyBeAccessedByLayers("Entry points", "Engines", "Shared machinery")
                .check(WORKER);
    }
}
