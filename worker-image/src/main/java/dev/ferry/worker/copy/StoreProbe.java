package dev.ferry.worker.copy;

import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.task.StoreProblemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Tells a file that is failing from a store that is failing. When a file (or a part of it) used up its
 * tries on transient errors, the worker writes one empty object under the job's state prefix
 * ({@code <prefix>/.ferry/<job-uid>/probe}) and deletes it again. The store takes it: the failure is the
 * file's (a key a gateway cannot store), so the file is reported with its code and the task goes on.
 * It does not (an error that is the store's, or a transient one again): the store as a whole is down
 * or refusing, so the task waits for it ({@link StoreProblemException}) and no file is failed.
 *
 * <p>This is how "consecutive files fail while none succeeds" is decided without counting: the probe is
 * the write that would have succeeded. Counting N failed files in a row instead would either fail those
 * N files during an outage or, when N bad keys happen to follow each other, send the task back for ever
 * without using an attempt.
 */
public final class StoreProbe {
    private static final Logger LOG = LoggerFactory.getLogger(StoreProbe.class);
    static final String NAME = "probe";

    private StoreProbe() {
    }

    /** Returns when the store takes a write; throws {@link StoreProblemException} when it does not. */
    public static void storeTakesWrites(CopyEngine engine, String context) {
        String uid = engine.settings.jobUid();
        String key = uid == null ? ObjectKeys.keyOf(engine.prefix, StatePrefix.DIRECTORY + "/" + NAME)
                : StatePrefix.of(engine.prefix, uid) + "/" + NAME;
        try {
            engine.s3.call(s3 -> s3.putObject(b -> b.bucket(engine.bucket).key(key).contentLength(0L),
                    RequestBody.empty()));
        } catch (SdkException e) {
            StoreProblemException store = S3Errors.storeProblem(context, e);
            if (store != null) {
                throw store;
            }
            S3Errors.ErrorClass error = S3Errors.classify(e);
            if (error.retryable()) {
                throw new StoreProblemException(error.code(), S3Errors.answer(e),
                        context + "; the store takes no write at all", e);
            }
            // refused for a reason of its own (a policy on the state prefix): no sign of an outage
            LOG.info("the store refused the probe {} ({}): taking the file's failure as its own", key,
                    S3Errors.describe(e));
            return;
        }
        try {
            engine.s3.call(s3 -> s3.deleteObject(b -> b.bucket(engine.bucket).key(key)));
        } catch (SdkException e) {
            LOG.info("could not delete the probe {}: {}", key, e.toString());
        }
    }
}
