package dev.ferry.operator;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The operator's package structure: one concern per package under {@code dev.ferry.operator}, the
 * entry points (main, embeddable operator, reconciler that wires the steps) in the root package, and
 * dependencies pointing one way only — entry points → reconcile steps → job state → foundations.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.ferry.operator";

    private static final JavaClasses OPERATOR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void subPackagesDoNotDependOnEachOtherInACycle() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(OPERATOR);
    }

    @Test
    void noSubPackageDependsOnTheEntryPointsInTheRootPackage() {
        noClasses().that().resideInAPackage(ROOT + "..").and().resideOutsideOfPackage(ROOT)
                .should().dependOnClassesThat().resideInAPackage(ROOT)
                .check(OPERATOR);
    }

    @Test
    void theSettingsDependOnNothingElseInTheOperator() {
        dependsOnNothingElseInTheOperator(ROOT + ".config..").check(OPERATOR);
    }

    @Test
    void workerLivenessDependsOnNothingElseInTheOperator() {
        dependsOnNothingElseInTheOperator(ROOT + ".liveness..").check(OPERATOR);
    }

    @Test
    void theLeaseDependsOnNothingElseInTheOperator() {
        dependsOnNothingElseInTheOperator(ROOT + ".leadership..").check(OPERATOR);
    }

    @Test
    void theMetersDependOnNothingElseInTheOperator() {
        dependsOnNothingElseInTheOperator(ROOT + ".metrics..").check(OPERATOR);
    }

    @Test
    void theScheduleArithmeticDependsOnNothingElseInTheOperator() {
        dependsOnNothingElseInTheOperator(ROOT + ".schedule..").check(OPERATOR);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                .layer("Entry points").definedBy(ROOT)
                .layer("Reconcile steps").definedBy(ROOT + ".assignment..", ROOT + ".audit..", ROOT + ".history..",
                        ROOT + ".lifecycle..", ROOT + ".notifications..", ROOT + ".planning..", ROOT + ".runs..", ROOT + ".status..", ROOT + ".validation..",
                        ROOT + ".workers..")
                .layer("Job state").definedBy(ROOT + ".state..")
                .layer("Foundations").definedBy(ROOT + ".config..", ROOT + ".leadership..", ROOT + ".liveness..", ROOT + ".metrics..",
                        ROOT + ".schedule..")
                .whereLayer("Entry points").mayNotBeAccessedByAnyLayer()
                .whereLayer("Reconcile steps").mayOnlyBeAccessedByLayers("Entry points")
                .whereLayer("Job state").mayOnlyBeAccessedByLayers("Entry points", "Reconcile steps")
                .whereLayer("Foundations").mayOnlyBeAccessedByLayers("Entry points", "Reconcile steps", "Job state")
                .check(OPERATOR);
    }

    private static ArchRule dependsOnNothingElseInTheOperator(String packageIdentifier) {
        return noClasses().that().resideInAPackage(packageIdentifier)
                .should().dependOnClassesThat(resideInAPackage(ROOT + "..").and(not(resideInAPackage(packageIdentifier))));
    }
}
