package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassArchivesTest {
    private static final String WORKER = "dev.ferry.worker.WorkerMain";

    @TempDir
    Path temp;

    @Test
    void theFirstProcessWritesTheArchiveOthersRunWithoutAndLaterOnesMapIt() throws IOException {
        ClassArchives archives = archives(jar("ferry.jar"));

        ClassArchives.Launch first = archives.launch(WORKER, List.of());
        Path partial = option(first, "-XX:ArchiveClassesAtExit=");
        assertThat(partial.getFileName().toString()).startsWith("WorkerMain-").endsWith(".partial");
        assertThat(archives.launch(WORKER, List.of()).jvmOptions()).as("a second process while the first writes").isEmpty();

        Files.write(partial, new byte[] {1, 2, 3}); // what the JVM writes as it exits
        first.exited().accept(143); // stopped by SIGTERM, as a pod is

        Path archive = archives.archiveOf(WORKER).orElseThrow();
        assertThat(archive).exists();
        assertThat(partial).doesNotExist();
        assertThat(option(archives.launch(WORKER, List.of()), "-XX:SharedArchiveFile=")).isEqualTo(archive);
    }

    @Test
    void whatAProcessKilledWhileWritingLeftIsNotKept() throws IOException {
        ClassArchives archives = archives(jar("ferry.jar"));
        ClassArchives.Launch killed = archives.launch(WORKER, List.of());
        Path partial = option(killed, "-XX:ArchiveClassesAtExit=");
        Files.write(partial, new byte[] {1, 2});

        killed.exited().accept(137);

        assertThat(partial).doesNotExist();
        assertThat(archives.archiveOf(WORKER).orElseThrow()).doesNotExist();
        assertThat(option(archives.launch(WORKER, List.of()), "-XX:ArchiveClassesAtExit=")).as("the next one writes it again")
                .isEqualTo(partial);
    }

    @Test
    void aRebuiltJarGetsANewArchiveAndOnlyTheArchivesUsedLastStay() throws IOException {
        Path jar = jar("ferry.jar");
        ClassArchives archives = archives(jar);
        List<Path> builds = new ArrayList<>();
        for (int build = 1; build <= ClassArchives.KEPT + 1; build++) {
            Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(build)));
            ClassArchives.Launch rebuilt = archives.launch(WORKER, List.of());
            assertThat(rebuilt.jvmOptions()).as("a new build writes its own")
                    .anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
            Files.write(option(rebuilt, "-XX:ArchiveClassesAtExit="), new byte[] {(byte) build});
            rebuilt.exited().accept(0);
            Path archive = archives.archiveOf(WORKER).orElseThrow();
            Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(100 - build)));
            builds.add(archive);
        }

        assertThat(builds.get(0)).as("the one used longest ago").doesNotExist();
        assertThat(builds.subList(1, builds.size())).allSatisfy(archive -> assertThat(archive).exists());
    }

    @Test
    void twoJarsTakingTurnsEachStartFromTheirOwnArchive() throws IOException {
        ClassArchives first = archives(jar("a.jar"));
        ClassArchives second = archives(jar("b.jar"));
        Path a = written(first);
        Path b = written(second);

        assertThat(option(first.launch(WORKER, List.of()), "-XX:SharedArchiveFile=")).isEqualTo(a);
        assertThat(option(second.launch(WORKER, List.of()), "-XX:SharedArchiveFile=")).isEqualTo(b);
    }

    @Test
    void eachMainClassHasItsOwnArchive() throws IOException {
        ClassArchives archives = archives(jar("ferry.jar"));
        Path worker = written(archives);

        assertThat(option(archives.launch("dev.ferry.operator.OperatorMain", List.of()), "-XX:ArchiveClassesAtExit="))
                .isNotEqualTo(worker);
        assertThat(worker).exists();
    }

    @Test
    void aPartialArchiveOfACliThatIsGoneIsClearedButNotOneBeingWritten() throws IOException {
        ClassArchives archives = archives(jar("ferry.jar"));
        Path file = archives.archiveOf(WORKER).orElseThrow();
        Files.createDirectories(file.getParent());
        Path abandoned = file.resolveSibling(file.getFileName() + "." + Long.MAX_VALUE + ".partial");
        Path otherCli = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().parent().orElseThrow().pid()
                + ".partial");
        Files.write(abandoned, new byte[] {1});
        Files.write(otherCli, new byte[] {1});

        archives.launch(WORKER, List.of());

        assertThat(abandoned).doesNotExist();
        assertThat(otherCli).as("its CLI still runs").exists();
    }

    @Test
    void offOrAClassPathOfOtherThanSelfContainedJarsStartsProcessesWithoutAnArchive() throws IOException {
        assertThat(ClassArchives.fromEnvironment(Map.of("FERRY_CDS_DIR", "off"), jar("a.jar").toString(), "/home/x")
                .launch(WORKER, List.of()).jvmOptions()).isEmpty();
        Path classes = Files.createDirectories(temp.resolve("classes"));
        Files.write(classes.resolve("A.class"), new byte[] {1});
        Path pointing = temp.resolve("booter.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classes.toUri().toString());
        new JarOutputStream(Files.newOutputStream(pointing), manifest).close();

        for (List<Path> classPath : List.of(List.of(temp.resolve("gone.jar")), List.of(jar("b.jar"), classes),
                List.of(pointing))) {
            ClassArchives archives = new ClassArchives(temp.resolve("cds"), classPath, options -> true, MAPS);
            assertThat(archives.launch(WORKER, List.of()).jvmOptions()).as("class path %s", classPath).isEmpty();
        }
    }

    @Test
    void archivesLiveInTheUsersCacheUnlessToldOtherwise() throws IOException {
        String classPath = jar("a.jar").toString();
        assertThat(ClassArchives.fromEnvironment(Map.of(), classPath, "/home/x").archiveOf(WORKER).orElseThrow())
                .hasParentRaw(Path.of("/home/x/.cache/ferry/cds"));
        assertThat(ClassArchives.fromEnvironment(Map.of("XDG_CACHE_HOME", "/var/cache/u"), classPath, "/home/x")
                .archiveOf(WORKER).orElseThrow()).hasParentRaw(Path.of("/var/cache/u/ferry/cds"));
        assertThat(ClassArchives.fromEnvironment(Map.of("FERRY_CDS_DIR", "/srv/cds"), classPath, "/home/x")
                .archiveOf(WORKER).orElseThrow()).hasParentRaw(Path.of("/srv/cds"));
    }

    @Test
    void processesWhoseJvmCannotWriteAnArchiveStartWithoutOneAndNoneTriesAgain() throws IOException {
        List<List<String>> probed = new ArrayList<>();
        ClassArchives archives = new ClassArchives(temp.resolve("cds"), List.of(jar("ferry.jar")), options -> {
            probed.add(options);
            return false;
        }, MAPS);

        assertThat(archives.launch(WORKER, List.of("-Xshare:off")).jvmOptions()).isEmpty();
        assertThat(archives.launch(WORKER, List.of("-Xshare:off")).jvmOptions()).isEmpty();
        assertThat(probed).containsExactly(List.of("-Xshare:off"));
    }

    /** The JDK's answer to a JVM told both not to share classes and to write an archive: it does not start. */
    @Test
    void aJvmThatCannotLoadTheBaseArchiveIsNotAskedToWriteOne() throws Exception {
        assertThat(ClassArchives.jvmStartsToWriteAnArchive(List.of("-Xshare:off"))).isFalse();
        assertThat(ClassArchives.jvmStartsToWriteAnArchive(List.of("-Xmx64m"))).isTrue();
    }

    /** The options as a real JVM takes them: it writes the archive as it exits, and the next one maps it. */
    @Test
    void aJvmWritesTheArchiveAndTheNextOneMapsIt() throws Exception {
        Path jar = helloJar();
        ClassArchives archives = new ClassArchives(temp.resolve("cds"), List.of(jar)); // the real probe

        ClassArchives.Launch first = archives.launch(HELLO, List.of());
        first.exited().accept(java(jar, first.jvmOptions()));
        Path archive = archives.archiveOf(HELLO).orElseThrow();
        assertThat(archive).exists();

        List<String> options = new ArrayList<>(archives.launch(HELLO, List.of()).jvmOptions());
        options.add("-Xshare:on"); // fails the JVM when it cannot map the archive
        assertThat(java(jar, options)).as(Files.readString(temp.resolve("java.log"))).isZero();
    }

    @Test
    void anArchiveNoJvmCanMapIsDeletedAndTheNextProcessWritesItAgain() throws IOException {
        List<List<String>> checked = new ArrayList<>();
        ClassArchives archives = new ClassArchives(temp.resolve("cds"), List.of(jar("ferry.jar")), options -> true,
                (archive, classPath, options) -> {
                    checked.add(options);
                    return false;
                });
        ClassArchives.Launch first = archives.launch(WORKER, List.of("-Xmx512m"));
        Path partial = option(first, "-XX:ArchiveClassesAtExit=");
        Files.write(partial, new byte[] {1, 2, 3});

        first.exited().accept(0);

        assertThat(checked).containsExactly(List.of("-Xmx512m"));
        assertThat(partial).doesNotExist();
        assertThat(archives.archiveOf(WORKER).orElseThrow()).doesNotExist();
        assertThat(archives.launch(WORKER, List.of()).jvmOptions()).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    /** A truncated archive crashes a JVM that maps it, even under -Xshare:auto: the check must catch it, quietly. */
    @Test
    void aJvmMapsAWholeArchiveAndRefusesATruncatedOneLeavingNoCrashReport() throws Exception {
        Path jar = helloJar();
        Path whole = temp.resolve("hello.jsa");
        assertThat(java(jar, List.of("-Xlog:cds=off,cds+dynamic=off", "-XX:ArchiveClassesAtExit=" + whole))).isZero();
        Path truncated = temp.resolve("truncated.jsa");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 3));

        assertThat(ClassArchives.aJvmMapsTheArchive(whole, List.of(jar), List.of("-Xmx64m", "-XX:StartFlightRecording")))
                .isTrue();
        assertThat(ClassArchives.aJvmMapsTheArchive(truncated, List.of(jar), List.of("-Xmx64m"))).isFalse();
        try (var files = Files.list(Path.of("").toAbsolutePath())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith("hs_err"));
        }
    }

    private static final String HELLO = "dev.ferry.local.ClassArchivesTest$Hello";

    /** A main class for the JVMs of {@link #aJvmWritesTheArchiveAndTheNextOneMapsIt}, in a jar of its own. */
    static final class Hello {
        public static void main(String[] args) {
            System.out.println("hello");
        }
    }

    private Path helloJar() throws IOException {
        Path jar = temp.resolve("hello.jar");
        String entry = HELLO.replace('.', '/') + ".class";
        try (InputStream bytes = Hello.class.getResourceAsStream("/" + entry);
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            bytes.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private int java(Path jar, List<String> options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", jar.toString(), HELLO));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve("java.log").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    /** Archives of {@code jar} whose JVMs can write one (the real probe: {@link #aJvmThatCannotLoadTheBaseArchiveIsNotAskedToWriteOne}). */
    private ClassArchives archives(Path jar) {
        return new ClassArchives(temp.resolve("cds"), List.of(jar), options -> true, MAPS);
    }

    /** The check of a written archive for the fakes of these tests: every one maps. */
    private static final ClassArchives.ArchiveCheck MAPS = (archive, classPath, options) -> true;

    private Path written(ClassArchives archives) throws IOException {
        ClassArchives.Launch launch = archives.launch(WORKER, List.of());
        Files.write(option(launch, "-XX:ArchiveClassesAtExit="), new byte[] {1});
        launch.exited().accept(0);
        return archives.archiveOf(WORKER).orElseThrow();
    }

    /** An empty jar: only its path, size and time make the archive's name. */
    private Path jar(String name) throws IOException {
        Path jar = temp.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("README"));
            out.closeEntry();
        }
        return jar;
    }

    private static Path option(ClassArchives.Launch launch, String prefix) {
        return launch.jvmOptions().stream().filter(o -> o.startsWith(prefix)).findFirst()
                .map(o -> Path.of(o.substring(prefix.length())))
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + launch.jvmOptions()));
    }
}
