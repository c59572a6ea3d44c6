package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two `ferry migrate` runs never share a run directory, and so never one embedded store. */
class RunDirectoryTest {
    @TempDir
    Path runs;

    @Test
    void runsStartedInTheSameSecondGetDirectoriesOfTheirOwn() throws Exception {
        try (RunDirectory first = RunDirectory.claimNew(runs, "migrate-20261205-142404");
             RunDirectory second = RunDirectory.claimNew(runs, "migrate-20261205-142404")) {
            assertThat(first.name()).isEqualTo("migrate-20261205-142404");
            assertThat(second.name()).isEqualTo("migrate-20261205-142404-2");
            assertThat(second.path()).isEqualTo(runs.resolve("migrate-20261205-142404-2")).isDirectory();
        }
        try (RunDirectory third = RunDirectory.claimNew(runs, "migrate-20261205-142404")) {
            assertThat(third.name()).as("an earlier run's directory is never a default name's, even when free")
                    .isEqualTo("migrate-20261205-142404-3");
        }
    }

    @Test
    void aGivenNameTakesAnEarlierRunsDirectoryButNotOneARunHolds() throws Exception {
        Files.createDirectories(runs.resolve("nightly/s3/demo"));
        try (RunDirectory again = RunDirectory.claimNamed(runs, "nightly")) {
            assertThat(again.path().resolve("s3/demo")).as("the earlier run's store is used again").isDirectory();

            assertThatThrownBy(() -> RunDirectory.claimNamed(runs, "nightly"))
                    .isInstanceOf(RunDirectory.InUseException.class)
                    .hasMessageContaining("a run named nightly is in progress")
                    .hasMessageContaining("choose another --name");
        }
        try (RunDirectory released = RunDirectory.claimNamed(runs, "nightly")) {
            assertThat(released.name()).isEqualTo("nightly");
        }
    }
}
