package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: `./ferry migrate samples/data s3://demo` on embedded defaults. */
class QuickStartIT {

    @TempDir
    Path workDir;

    @Test
    void migratesTheSampleTreeIntoTheEmbeddedS3() throws Exception {
        Path samples = FerryProcess.REPO.resolve("samples/data");
        FerryProcess.Result result = FerryProcess.run(FerryProcess.REPO, Map.of(), 300, "migrate",
                "samples/data", "s3://demo", "--name", "quickstart", "--work-dir", workDir.toString());

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stdout()).startsWith("Succeeded quickstart");
        assertThat(result.stderr()).contains("embedded S3 at http://127.0.0.1:");
        // The embedded S3 keeps each object as a file: bucket directory + key.
        Path bucket = workDir.resolve("runs/quickstart/s3/demo");
        assertThat(SourceTree.describe(bucket)).isEqualTo(SourceTree.describe(samples));
    }
}
