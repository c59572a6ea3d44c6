package dev.ferry.worker.plan;

import dev.ferry.worker.source.FileNames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * The names in one directory, in sorted order, with at most {@code inMemory} names held at once however
 * many the directory has: past that, each full batch is sorted and spilled to a run file on local disk
 * ({@code /tmp}, an emptyDir in the worker's pod), and the runs are merged as the walk reads them. A
 * directory of ten million entries costs {@code inMemory} names plus one buffered reader per run, not ten
 * million strings (about 800 MB of heap). Names are written with {@link DataOutputStream#writeUTF}, which
 * gives back any Java string exactly, a name with a newline in it included. A name whose bytes are not UTF-8
 * is listed in the marked form of {@link FileNames#of}.
 *
 * <p>Iterated once; {@link #close} deletes the run files (a crash leaves them in the pod's emptyDir, which
 * goes with the pod).
 */
final class DirectoryListing implements Iterable<String>, Closeable {
    /** Names held in memory at most per directory being walked: about 16 MB of short names. */
    static final int DEFAULT_IN_MEMORY = 200_000;

    private final List<String> inMemory;
    private final List<Path> runs;
    private final int size;
    private final List<DataInputStream> open = new ArrayList<>();
    private boolean iterated;

    private DirectoryListing(List<String> inMemory, List<Path> runs, int size) {
        this.inMemory = inMemory;
        this.runs = runs;
        this.size = size;
    }

    /** An empty listing. */
    static DirectoryListing empty() {
        return new DirectoryListing(List.of(), List.of(), 0);
    }

    /**
     * Reads the names in {@code directory}, spilling sorted runs to {@code spill} beyond {@code inMemory}.
     * An IOException is the directory's (vanished, unreadable); a run that cannot be written is an
     * {@link UncheckedIOException}: the plan fails and is retried, the directory is not reported.
     */
    static DirectoryListing read(Path directory, int inMemory, Path spill) throws IOException {
        if (inMemory < 1) {
            throw new IllegalArgumentException("inMemory must be at least 1, got " + inMemory);
        }
        List<String> names = new ArrayList<>();
        List<Path> runs = new ArrayList<>();
        int size = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (names.size() == inMemory) {
                    runs.add(spillRun(names, spill));
                    names.clear();
                }
                names.add(FileNames.of(entry));
                size++;
            }
        } catch (IOException | RuntimeException e) {
            deleteAll(runs);
            throw e;
        }
        names.sort(String::compareTo);
        return new DirectoryListing(names, runs, size);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** How many sorted runs went to disk (0: the directory fit in memory). */
    int spilledRuns() {
        return runs.size();
    }

    @Override
    public Iterator<String> iterator() {
        if (iterated) {
            throw new IllegalStateException("a directory listing is read once");
        }
        iterated = true;
        if (runs.isEmpty()) {
            return inMemory.iterator();
        }
        PriorityQueue<Head> heads = new PriorityQueue<>();
        heads.add(new Head(inMemory.iterator()));
        for (Path run : runs) {
            try {
                DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), 16 * 1024));
                open.add(in);
                heads.add(new Head(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read back the sorted run " + run, e);
            }
        }
        heads.removeIf(head -> head.name == null);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heads.isEmpty();
            }

            @Override
            public String next() {
                Head head = heads.poll();
                if (head == null) {
                    throw new NoSuchElementException();
                }
                String name = head.name;
                if (head.advance()) {
                    heads.add(head);
                }
                return name;
            }
        };
    }

    @Override
    public void close() {
        for (DataInputStream in : open) {
            try {
                in.close();
            } catch (IOException e) {
                // deleting it is what matters
            }
        }
        deleteAll(runs);
    }

    private static Path spillRun(List<String> names, Path spill) {
        names.sort(String::compareTo);
        Path run = null;
        try {
            Files.createDirectories(spill);
            run = Files.createTempFile(spill, "ferry-listing-", ".run");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 64 * 1024))) {
                for (String name : names) {
                    out.writeUTF(name);
                }
            }
            return run;
        } catch (IOException e) {
            if (run != null) {
                deleteAll(List.of(run));
            }
            throw new UncheckedIOException("cannot spill a sorted run of " + names.size() + " names of a big directory to "
                    + spill + " (the worker's /tmp)", e);
        }
    }

    private static void deleteAll(List<Path> runs) {
        for (Path run : runs) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException e) {
                // in the pod's emptyDir: gone with the pod
            }
        }
    }

    /** The next name of one sorted source: the in-memory batch or a run file. */
    private static final class Head implements Comparable<Head> {
        private final Iterator<String> memory;
        private final DataInputStream run;
        private String name;

        Head(Iterator<String> memory) {
            this.memory = memory;
            this.run = null;
            advance();
        }

        Head(DataInputStream run) {
            this.memory = null;
            this.run = run;
            advance();
        }

        /** Moves to the next name; false when this source is done. */
        boolean advance() {
            if (memory != null) {
                name = memory.hasNext() ? memory.next() : null;
                return name != null;
            }
            try {
                name = run.readUTF();
            } catch (EOFException e) {
                name = null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read back a sorted run of a directory listing", e);
            }
            return name != null;
        }

        @Override
        public int compareTo(Head other) {
            return name.compareTo(other.name);
        }
    }
}
