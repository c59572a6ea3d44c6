package dev.ferry.worker.copy;

import dev.ferry.api.VerifyMode;
import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.s3.ObjectMetadata;
import java.util.Base64;
import java.util.HexFormat;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checks, after an upload, that the object at the key is the file that was read ({@code spec.verify}):
 * <ul>
 *   <li>{@code Checksum}: the checksum the store recorded must be the file's MD5. For a single PUT
 *       that is the ETag (hex MD5 of the bytes the store kept) it answered the PUT with — the same
 *       value a HEAD would return, so no further request is made. A multipart object's ETag is not an
 *       MD5 of the content: one HEAD reads its size and {@code md5chksum} user metadata (base64).</li>
 *   <li>{@code Size}: the object's size must be the file's. A single PUT needs no request for it: the
 *       store accepted the PUT only if it received exactly {@code Content-Length} bytes whose MD5 is the
 *       {@code Content-MD5} we sent, so its answer already proves the size (and more). A multipart
 *       object is assembled by the store from the listed parts, so its size is read back with one HEAD.</li>
 * </ul>
 * In both modes the ETag the store answered CompleteMultipartUpload with, when it has the composite
 * form {@code md5(part MD5s)-N}, must be the one the file's parts give ({@link CompositeETag}): the
 * store assembled exactly the parts that were verified or sent.
 * So a small file costs exactly one request (its PUT), and a multipart object one HEAD more.
 */
public final class ObjectVerifier {
    private final CopyEngine engine;

    public ObjectVerifier(CopyEngine engine) {
        this.engine = engine;
    }

    /** Null when the object proves to be what was stored; otherwise what differs. */
    public String mismatch(String key, Uploads.Stored stored) {
        if (!stored.multipart()) {
            if (engine.verify == VerifyMode.Size) {
                return null;
            }
            String putETag = CompositeETag.unquoted(stored.putETag());
            if (CompositeETag.isPlainMd5(putETag)) {
                String expected = HexFormat.of().formatHex(stored.md5());
                return expected.equalsIgnoreCase(putETag) ? null
                        : "the store answered the PUT with ETag " + putETag + ", the file's MD5 is " + expected;
            }
            // a store whose ETags are not MD5s of the content (SSE-KMS, some gateways): read md5chksum
        } else {
            String assembly = assemblyMismatch(stored);
            if (assembly != null) {
                return assembly;
            }
        }
        HeadObjectResponse head;
        try {
            head = engine.s3.callGateway(gateway -> gateway.headObject(engine.bucket, key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return "the object is gone";
            }
            throw e;
        }
        if (head.contentLength() == null || head.contentLength() != stored.size()) {
            return "the object has " + head.contentLength() + " bytes, the file " + stored.size();
        }
        if (engine.verify == VerifyMode.Size) {
            return null;
        }
        String expected = Base64.getEncoder().encodeToString(stored.md5());
        String recorded = head.metadata().get(ObjectMetadata.MD5);
        return expected.equals(recorded) ? null
                : "the object's " + ObjectMetadata.MD5 + " is " + recorded + ", the file's MD5 " + expected;
    }

    /**
     * For a multipart object: null unless the ETag the store answered the completion with has the
     * composite form and is not the one the file's parts give. Free to check (no request), in both
     * modes, and valid after a later copy of the object onto itself too, since it is the answer kept.
     */
    public static String assemblyMismatch(Uploads.Stored stored) {
        if (stored.parts() == null) {
            return null;
        }
        String assembled = stored.parts().completedETag();
        if (CompositeETag.isComposite(assembled) && !assembled.equalsIgnoreCase(stored.parts().compositeETag())) {
            return "the store assembled an object with ETag " + assembled + ", the file's parts give "
                    + stored.parts().compositeETag();
        }
        return null;
    }
}
