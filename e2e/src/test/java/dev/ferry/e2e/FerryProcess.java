package dev.ferry.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the `ferry` launcher at the top of the repository as a separate process, as a user would. */
final class FerryProcess {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    record Result(int exitCode, String stdout, String stderr, long millis) {
    }

    private FerryProcess() {
    }

    static Result run(Path workingDir, Map<String, String> env, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(REPO.resolve("ferry").toString());
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile("ferry-out", ".txt");
        Path stderr = Files.createTempFile("ferry-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("ferry " + String.join(" ", args) + " did not finish in " + timeoutSeconds
                    + " s; stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8), millis);
    }
}
