package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's first command: `./ferry migrate samples/data s3://demo` on embedded defaults. */
class QuickStartIT {

    @TempDir
    Path workDir;

    @ParameterizedTest(name = "workers: {0}")
    @ValueSource(strings = {"default", "3"})
    void migratesTheSampleTreeIntoTheEmbeddedS3(String workers) throws Exception {
        Path samples = FerryProcess.REPO.resolve("samples/data");
        List<String> args = new ArrayList<>(List.of("migrate", "samples/data", "s3://demo", "--name", "quickstart",
                "--work-dir", workDir.toString()));
        if (!workers.equals("default")) {
            args.addAll(List.of("--workers", workers));
        }

        FerryProcess.Result result = FerryProcess.run(FerryProcess.REPO, Map.of(), 300, args.toArray(String[]::new));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).startsWith("Succeeded quickstart");
        assertThat(result.stderr()).contains("embedded S3 at http://127.0.0.1:")
                .contains("with " + (workers.equals("default")
                        ? Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 4)) : workers) + " worker(s)");
        // The embedded S3 keeps each object as a file: bucket directory + key (directories are not objects).
        Path bucket = workDir.resolve("runs/quickstart/s3/demo");
        assertThat(SourceTree.describe(bucket)).isEqualTo(SourceTree.describe(samples));
    }

    @Test
    void exitsNonZeroNamingTheCauseWhenTheEndpointCannotBeReached() throws Exception {
        FerryProcess.Result result = FerryProcess.run(FerryProcess.REPO, Map.of(), 300, "migrate", "samples/data",
                "s3://demo", "--endpoint", "http://127.0.0.1:9", "--access-key", "k", "--secret-key", "s",
                "--work-dir", workDir.toString());

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("cannot reach bucket demo at http://127.0.0.1:9");
    }
}
