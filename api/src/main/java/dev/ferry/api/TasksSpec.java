package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How planning cuts the tree into tasks, and how many tasks may be in flight. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TasksSpec {
    public static final int DEFAULT_MAX_FILES = 500;
    public static final int DEFAULT_MAX_ACTIVE = 200;
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final int DEFAULT_HISTORY_LIMIT = 100;

    @Default("500")
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Most files in one Copy task (default 500).")
    public Integer maxFiles = DEFAULT_MAX_FILES;

    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("Most bytes in one Copy task (e.g. 10Gi); unlimited when unset.")
    public String maxBytes;

    @Default("200")
    @Min(1)
    @Max(100000)
    @JsonPropertyDescription("Most unfinished tasks that may exist at once; planning waits for room (default 200).")
    public Integer maxActive = DEFAULT_MAX_ACTIVE;

    @Default("5")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Attempts of a task before it is Failed (default 5).")
    public Integer maxAttempts = DEFAULT_MAX_ATTEMPTS;

    @Default("100")
    @Min(0)
    @Max(100000)
    @JsonPropertyDescription("Finished tasks kept as objects after being folded into the job's counters (default 100).")
    public Integer historyLimit = DEFAULT_HISTORY_LIMIT;

    public int maxFilesOrDefault() {
        return maxFiles != null ? maxFiles : DEFAULT_MAX_FILES;
    }

    public int maxAttemptsOrDefault() {
        return maxAttempts != null ? maxAttempts : DEFAULT_MAX_ATTEMPTS;
    }

    public int maxActiveOrDefault() {
        return maxActive != null ? maxActive : DEFAULT_MAX_ACTIVE;
    }

    public long maxBytesOrUnlimited() {
        return maxBytes == null ? Long.MAX_VALUE : Quantities.parseBytes(maxBytes);
    }
}
