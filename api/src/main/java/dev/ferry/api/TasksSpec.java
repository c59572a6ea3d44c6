package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.time.Duration;

/** How planning cuts the tree into tasks, and how many tasks may be in flight. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TasksSpec {
    /**
     * Seconds of one worker's work, not fractions of one: 5000 small files take a worker 2 s on loopback
     * (about 2,500 files/s) and longer against a real store's round trips; {@link #DEFAULT_MAX_BYTES} is
     * 2 to 20 s at 2 GB/s to 200 MB/s. A task's fixed cost (hand-out, status writes, manifest, listings:
     * about 90 ms of CPU over all processes in the local benchmark) so stays a few percent of its work,
     * and a task taken back still resumes from its checkpoint. With 500 files a task was 0.2 s of work.
     */
    public static final int DEFAULT_MAX_FILES = 5000;
    public static final String DEFAULT_MAX_BYTES = "4Gi";
    public static final int DEFAULT_MAX_ACTIVE = 200;
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final int DEFAULT_HISTORY_LIMIT = 100;
    public static final String DEFAULT_SPLIT_FILE_SIZE = "1Gi";
    public static final int DEFAULT_SPLIT_DIRECTORY_ENTRIES = 5000;
    public static final String DEFAULT_STALL_TIMEOUT = "5m";

    @Default("" + DEFAULT_MAX_FILES)
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Most files in one Copy task (default 5000). A plan's first tasks are smaller (500,"
            + " 1000, 2000, ...) so that copying starts early and spreads over the workers.")
    public Integer maxFiles;

    @Default(DEFAULT_MAX_BYTES)
    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("Most bytes in one Copy task (default 4Gi); a single larger file is a task of its own.")
    public String maxBytes;

    @Default("" + DEFAULT_MAX_ACTIVE)
    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Most unfinished tasks that may exist at once; planning waits for room (default 200).")
    public Integer maxActive;

    @Default("" + DEFAULT_MAX_ATTEMPTS)
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Attempts of a task before it is Failed (default 5).")
    public Integer maxAttempts;

    @Default("" + DEFAULT_HISTORY_LIMIT)
    @Min(0)
    @Max(100000)
    @JsonPropertyDescription("Succeeded tasks kept as objects; older ones are folded into status.history and deleted."
            + " Failed tasks are always kept (default 100).")
    public Integer historyLimit;

    @Default(DEFAULT_SPLIT_FILE_SIZE)
    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("Files of at least this size become Parts tasks: their parts are uploaded by several workers"
            + " into one multipart upload, each task a range of about a quarter of this size (default 1Gi).")
    public String splitFileSize;

    @Default("" + DEFAULT_SPLIT_DIRECTORY_ENTRIES)
    @Min(2)
    @Max(10000000)
    @JsonPropertyDescription("A subdirectory with at least this many entries is walked by a Plan task of its own,"
            + " so large trees are planned in parallel (default 5000).")
    public Integer splitDirectoryEntries;

    @Default(DEFAULT_STALL_TIMEOUT)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("A task whose holder renews its Lease but moves no file and no byte for this long is"
            + " stalled (a hung NFS read, a deadlock): it is taken back and handed to another worker (default 5m).")
    public String stallTimeout;

    public String stallTimeoutOrDefault() {
        return stallTimeout != null ? stallTimeout : DEFAULT_STALL_TIMEOUT;
    }

    /** {@link #stallTimeoutOrDefault()} read; the default when the text cannot be read (the schema refuses it). */
    public Duration stallTimeoutDuration() {
        try {
            return GoDuration.parse(stallTimeoutOrDefault());
        } catch (IllegalArgumentException e) {
            return GoDuration.parse(DEFAULT_STALL_TIMEOUT);
        }
    }

    public int maxFilesOrDefault() {
        return maxFiles != null ? maxFiles : DEFAULT_MAX_FILES;
    }

    public int maxAttemptsOrDefault() {
        return maxAttempts != null ? maxAttempts : DEFAULT_MAX_ATTEMPTS;
    }

    public int maxActiveOrDefault() {
        return maxActive != null ? maxActive : DEFAULT_MAX_ACTIVE;
    }

    public int historyLimitOrDefault() {
        return historyLimit != null ? historyLimit : DEFAULT_HISTORY_LIMIT;
    }

    public long splitFileSizeOrDefault() {
        return Quantities.parseBytes(splitFileSize != null ? splitFileSize : DEFAULT_SPLIT_FILE_SIZE);
    }

    public int splitDirectoryEntriesOrDefault() {
        return splitDirectoryEntries != null ? splitDirectoryEntries : DEFAULT_SPLIT_DIRECTORY_ENTRIES;
    }

    public long maxBytesOrDefault() {
        return Quantities.parseBytes(maxBytes != null ? maxBytes : DEFAULT_MAX_BYTES);
    }
}
