package dev.ferry.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class data sharing archives (AppCDS) of the local mode's component processes, one per main class, kept in a
 * cache directory across runs. A worker JVM spends about a second of CPU loading and verifying the classes of
 * the SDKs it starts with, on every start and on each of the two cores that the store and the CLI share;
 * mapped from an archive, they load without being parsed or verified again.
 *
 * <p>JDK 17 builds such an archive only when a JVM exits ({@code -XX:ArchiveClassesAtExit}): the first process of
 * a main class started without an archive writes one to a temporary file, and only a clean exit (0, or 143 after
 * the SIGTERM that stops a pod) puts it in place, by an atomic rename — a process killed while it writes leaves
 * nothing half written where the next run would map it. Other processes started meanwhile run without. The
 * archive's name is a hash of the main class, the JVM and the class path's files (path, size, modification
 * time): a rebuilt jar or another JVM gets a new archive, and once it is in place only the {@value #KEPT} used last
 * of that main class stay. A JVM that cannot map an archive (or write one) runs without it: the archive only saves
 * time, it changes nothing the process does — with one exception, which is why a written archive is first mapped
 * by a JVM of its own ({@code -Xshare:on -version}) before it is put in place: a truncated archive (a full disk
 * at exit) crashes every JVM that maps it, even under the default {@code -Xshare:auto} (SIGBUS, checked on 17.0.15).
 */
final class ClassArchives {
    private static final Logger LOG = LoggerFactory.getLogger(ClassArchives.class);
    /** Where the archives go; {@code off} (or empty) starts every process without one. */
    static final String DIRECTORY_VARIABLE = "FERRY_CDS_DIR";
    /** Exit codes after which an archive written at exit is whole: a normal end, or the SIGTERM that stops a pod. */
    private static final Set<Integer> CLEAN_EXITS = Set.of(0, 143);
    /** Archives kept per main class: the ones used last. */
    static final int KEPT = 3;
    /** The JVM logs classes it cannot archive as warnings, a line each: not the pod log's business. */
    private static final String QUIET = "-Xlog:cds=off,cds+dynamic=off";

    /** No archives: every process starts as it would without this class. */
    static final ClassArchives NONE = new ClassArchives(null, List.of());

    private final Path directory;
    private final List<Path> classPath;
    /** Whether every class path entry is a jar of its own: read once, not on every process start (the jar is large). */
    private final boolean selfContained;
    /** Main classes whose archive a running process is writing now. */
    private final Set<String> writing = ConcurrentHashMap.newKeySet();
    /** Main classes whose processes' JVM cannot write an archive (see {@link #jvmWritesAnArchiveWith}). */
    private final Set<String> unsupported = ConcurrentHashMap.newKeySet();
    private final Predicate<List<String>> jvmStarts;
    private final ArchiveCheck mapsWhole;

    /** Whether a JVM of a process's options maps a written archive: whether it may be put in place. */
    @FunctionalInterface
    interface ArchiveCheck {
        boolean mapsWhole(Path archive, List<Path> classPath, List<String> processOptions);
    }

    ClassArchives(Path directory, List<Path> classPath) {
        this(directory, classPath, ClassArchives::jvmStartsToWriteAnArchive, ClassArchives::aJvmMapsTheArchive);
    }

    /**
     * @param jvmStarts whether a JVM with these options starts when asked to write an archive
     * @param mapsWhole whether a written archive may be put in place
     */
    ClassArchives(Path directory, List<Path> classPath, Predicate<List<String>> jvmStarts, ArchiveCheck mapsWhole) {
        this.directory = directory;
        this.classPath = List.copyOf(classPath);
        this.selfContained = directory != null && !classPath.isEmpty()
                && classPath.stream().allMatch(ClassArchives::isSelfContainedJar);
        this.jvmStarts = jvmStarts;
        this.mapsWhole = mapsWhole;
    }

    /**
     * The archives of this JVM's class path in {@code $FERRY_CDS_DIR}, else {@code $XDG_CACHE_HOME/ferry/cds},
     * else {@code ~/.cache/ferry/cds}.
     */
    static ClassArchives fromEnvironment(Map<String, String> env, String classPath, String userHome) {
        String configured = env.get(DIRECTORY_VARIABLE);
        Path directory;
        if (configured != null) {
            if (configured.isBlank() || configured.strip().equalsIgnoreCase("off")) {
                return NONE;
            }
            directory = Path.of(configured.strip());
        } else {
            String cache = env.get("XDG_CACHE_HOME");
            directory = (cache == null || cache.isBlank() ? Path.of(userHome, ".cache") : Path.of(cache))
                    .resolve("ferry").resolve("cds");
        }
        List<Path> entries = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).map(Path::of).toList();
        return new ClassArchives(directory, entries);
    }

    /** JVM options of one process and what to do once it exited. */
    record Launch(List<String> jvmOptions, IntConsumer exited) {
        static final Launch PLAIN = new Launch(List.of(), code -> { });
    }

    /**
     * How to start the next process of {@code mainClass}, whose other JVM options are {@code otherOptions}: with its
     * archive, writing it, or without.
     */
    Launch launch(String mainClass, List<String> otherOptions) {
        if (directory == null) {
            return Launch.PLAIN;
        }
        Optional<Path> archive = archiveOf(mainClass);
        if (archive.isEmpty()) {
            return Launch.PLAIN;
        }
        Path file = archive.get();
        if (Files.isRegularFile(file)) {
            markUsed(file);
            return new Launch(List.of("-XX:SharedArchiveFile=" + file, QUIET), code -> { });
        }
        if (unsupported.contains(mainClass) || !writing.add(mainClass)) {
            return Launch.PLAIN;
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            writing.remove(mainClass);
            LOG.debug("no class archive: cannot create {}: {}", directory, e.toString());
            return Launch.PLAIN;
        }
        deleteAbandonedPartials(mainClass);
        Path partial = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        if (!jvmWritesAnArchiveWith(otherOptions)) {
            // for the rest of this run: the next process would not start either
            unsupported.add(mainClass);
            writing.remove(mainClass);
            return Launch.PLAIN;
        }
        return new Launch(List.of("-XX:ArchiveClassesAtExit=" + partial, QUIET),
                code -> written(mainClass, partial, file, code, otherOptions));
    }

    /**
     * Whether a JVM with {@code options} starts when asked to write an archive: one that cannot load the JDK's own
     * base archive (none shipped, {@code -Xshare:off}, a heap or GC the archive does not fit) refuses to start,
     * where one asked to map an archive starts without it.
     */
    private boolean jvmWritesAnArchiveWith(List<String> options) {
        boolean starts = jvmStarts.test(options);
        if (!starts) {
            LOG.info("no class data archive for these processes: a JVM with {} cannot write one", options);
        }
        return starts;
    }

    /** Whether {@code java OPTIONS -XX:ArchiveClassesAtExit=(a scratch file) -version} ends well, within a minute. */
    static boolean jvmStartsToWriteAnArchive(List<String> options) {
        Path scratch = null;
        try {
            scratch = Files.createTempFile("ferry-cds-probe", ".jsa");
            Files.delete(scratch);
            List<String> arguments = new ArrayList<>(options);
            arguments.add("-XX:ArchiveClassesAtExit=" + scratch);
            arguments.add("-version");
            return java(arguments, null) == 0;
        } catch (IOException e) {
            return false;
        } finally {
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", scratch, e.toString());
                }
            }
        }
    }

    /**
     * Whether {@code java (heap and GC options of the process) -Xshare:on -XX:SharedArchiveFile=ARCHIVE -cp CLASSPATH
     * -version} ends well within a minute: {@code -Xshare:on} fails a JVM that cannot map the archive. Only the options
     * that decide whether an archive fits (heap size, compressed pointers, the collector) are passed on: others,
     * such as a flight recording's, would act in the checking JVM too. It runs in a scratch directory, where a
     * crash report of the checking JVM goes, and which is deleted.
     */
    static boolean aJvmMapsTheArchive(Path archive, List<Path> classPath, List<String> processOptions) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("ferry-cds-check");
            List<String> arguments = new ArrayList<>();
            processOptions.stream().filter(ClassArchives::decidesWhetherAnArchiveFits).forEach(arguments::add);
            arguments.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive,
                    "-XX:ErrorFile=" + scratch.resolve("hs_err.log"), "-cp",
                    String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()), "-version"));
            int exitCode = java(arguments, scratch);
            if (exitCode != 0) {
                LOG.info("a class data archive written at exit cannot be mapped (exit code {}): deleted, not used",
                        exitCode);
            }
            return exitCode == 0;
        } catch (IOException e) {
            return false;
        } finally {
            deleteScratch(scratch);
        }
    }

    /**
     * The exit code of {@code java (quiet) ARGUMENTS} run in {@code directory} (null: this one), its output dropped;
     * -1 when it does not end within a minute or cannot start.
     */
    private static int java(List<String> arguments, Path directory) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(QUIET);
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean decidesWhetherAnArchiveFits(String option) {
        return option.startsWith("-Xmx") || option.startsWith("-Xms") || option.matches("-XX:[+-]Use\\w+")
                || option.matches("-XX:(Max|Min|Initial)RAM\\w*=.*");
    }

    private static void deleteScratch(Path scratch) {
        if (scratch == null) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(scratch)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", scratch, e.toString());
        }
    }

    private void written(String mainClass, Path partial, Path file, int exitCode, List<String> processOptions) {
        try {
            if (CLEAN_EXITS.contains(exitCode) && Files.isRegularFile(partial) && Files.size(partial) > 0
                    && mapsWhole.mapsWhole(partial, classPath, processOptions)) {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                deleteOlderArchives(mainClass, file);
                LOG.debug("class archive of {} written: {}", mainClass, file);
            } else {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            LOG.debug("class archive of {} not kept: {}", mainClass, e.toString());
        } finally {
            writing.remove(mainClass);
        }
    }

    /**
     * Keeps the {@value #KEPT} archives of {@code mainClass} used last ({@code kept} among them) and deletes the others:
     * an archive is tens of MiB, and one per jar ever built would pile up; a few let two jars take turns (a
     * benchmark of two builds, two checkouts) without each writing its archive again every time.
     */
    private void deleteOlderArchives(String mainClass, Path kept) throws IOException {
        List<Path> archives = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, prefix(mainClass) + "*.jsa")) {
            stream.forEach(archives::add);
        }
        archives.remove(kept);
        archives.sort(Comparator.comparing(ClassArchives::lastUsed).reversed());
        for (Path archive : archives.subList(Math.min(KEPT - 1, archives.size()), archives.size())) {
            Files.deleteIfExists(archive);
        }
    }

    /** An archive's modification time is when a process last started from it. */
    private static void markUsed(Path archive) {
        try {
            Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            LOG.debug("cannot mark {} as used: {}", archive, e.toString());
        }
    }

    private static FileTime lastUsed(Path archive) {
        try {
            return Files.getLastModifiedTime(archive);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * Partial archives whose CLI process is gone: it exited before its process wrote the archive (its name holds
     * that CLI's pid). A live one's may still be in the writing.
     */
    private void deleteAbandonedPartials(String mainClass) {
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(directory, prefix(mainClass) + "*.partial")) {
            for (Path partial : partials) {
                String[] parts = partial.getFileName().toString().split("\\.");
                long pid = parts.length >= 3 ? parseLong(parts[parts.length - 2]) : -1;
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            LOG.debug("cannot clear partial class archives in {}: {}", directory, e.toString());
        }
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The archive's file for the class path as it is now; empty when an entry cannot be read or is not a jar of its
     * own: a JVM asked to write an archive does not start when its class path holds a directory with classes, and
     * a jar's manifest {@code Class-Path} (as in a test runner's class path) may name such directories.
     */
    Optional<Path> archiveOf(String mainClass) {
        if (!selfContained) {
            return Optional.empty();
        }
        MessageDigest digest = sha256();
        update(digest, mainClass);
        update(digest, System.getProperty("java.vm.version", ""));
        update(digest, System.getProperty("java.home", ""));
        for (Path entry : classPath) {
            try {
                update(digest, entry.toAbsolutePath().toString());
                update(digest, Long.toString(Files.size(entry)));
                update(digest, Long.toString(Files.getLastModifiedTime(entry).toMillis()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        String hash = HexFormat.of().formatHex(digest.digest(), 0, 8);
        return Optional.of(directory.resolve(prefix(mainClass) + hash + ".jsa"));
    }

    private static boolean isSelfContainedJar(Path entry) {
        if (!Files.isRegularFile(entry)) {
            return false;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            return manifest == null || manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH) == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code WorkerMain-} for {@code dev.ferry.worker.WorkerMain}. */
    private static String prefix(String mainClass) {
        return mainClass.substring(mainClass.lastIndexOf('.') + 1) + "-";
    }

    private static void update(MessageDigest digest, String value) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
