package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The bucket, key prefix and store the objects go to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.prefix) || !self.prefix.startsWith('/')",
        message = "prefix must not start with '/': keys are relative to the bucket")
@ValidationRule(value = "!has(self.prefix) || !self.prefix.matches('//+[^/]|(^|/)[.][.]?(/|$)')",
        message = "prefix must not have an empty segment ('//') or a '.' or '..' segment: stores and tools that map"
                + " keys to paths read them as paths")
@ValidationRule(value = "!has(self.endpoints) || self.endpoints.all(e, e.matches('^https?://[^\\\\s]+$'))",
        message = "every endpoint must be an http:// or https:// URL")
public class DestinationSpec {
    public static final String DEFAULT_REGION = "us-east-1";
    /** The longest key prefix a job takes (the CLI checks it before it starts anything). */
    public static final int MAX_PREFIX_LENGTH = 512;


    @Required
    @Pattern(Patterns.BUCKET)
    @Size(max = 63)
    @JsonPropertyDescription("Bucket name (3-63 characters: lower-case letters, digits, dots, hyphens).")
    public String bucket;

    @Size(max = MAX_PREFIX_LENGTH)
    @JsonPropertyDescription("Key prefix under which the tree is stored; a file's key is <prefix>/<relative path>."
            + " Not starting with '/', without empty ('//'), '.' or '..' segments; trailing slashes are dropped.")
    public String prefix;

    @Size(max = 16)
    @JsonPropertyDescription("Endpoint URLs of the store (several gateways of one store may be listed). "
            + "Empty means AWS S3 in the region.")
    public List<@Size(max = 2048) String> endpoints;

    @Default(DEFAULT_REGION)
    @Size(max = 64)
    @JsonPropertyDescription("Signing region (default us-east-1).")
    public String region;

    @JsonPropertyDescription("Path-style addressing (bucket in the path). Default: true when endpoints are given.")
    public Boolean pathStyle;

    @Pattern(Patterns.DNS_NAME)
    @Size(max = 253)
    @JsonPropertyDescription("Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (optionally AWS_SESSION_TOKEN). "
            + "Without it the workers use their own identity, found by the AWS SDK's default chain: IAM Roles for "
            + "Service Accounts (IRSA), EKS Pod Identity, an instance profile.")
    public String credentialsSecret;

    @JsonPropertyDescription("PEM certificates of the CAs that sign the endpoints' TLS certificates (a store "
            + "behind an internal CA), from a key of a Secret; trusted besides the JVM's default CAs. At most 64 KiB.")
    public SecretKeyReference endpointCA;

    @Size(max = 64)
    @JsonPropertyDescription("Storage class of the objects (e.g. STANDARD, STANDARD_IA); default: the bucket's.")
    public String storageClass;

    @Default("Store")
    @JsonPropertyDescription("Store (default) keeps each file's mode, uid and gid on its object as metadata (mode, uid,"
            + " gid: rclone's --metadata form), so a restore can put owners and permissions back; Skip stores only"
            + " the mtime and the MD5 (md5chksum), which Sync and the audit need either way.")
    public PosixAttributes posixAttributes;

    /** Path-style unless the user chose otherwise: custom endpoints rarely have wildcard DNS. */
    public String regionOrDefault() {
        return region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    public PosixAttributes posixAttributesOrDefault() {
        return posixAttributes == null ? PosixAttributes.Store : posixAttributes;
    }

    public boolean usePathStyle() {
        return pathStyle != null ? pathStyle : endpoints != null && !endpoints.isEmpty();
    }

    /**
     * Why {@code prefix} cannot be a key prefix, or null when it can (the CRD's rule, for API servers without CEL and
     * for the CLI): an empty segment ({@code a//b}) or a {@code .} or {@code ..} segment. S3 itself keeps such keys as
     * written, but a store that maps keys to paths (S3Proxy's filesystem store, gateways in front of a NAS) resolves
     * them: measured on S3Proxy, {@code a/./b/x} was stored as {@code a/b/x} and {@code a//b/x} refused with 403 (which
     * reads as bad credentials), and {@code aws s3 sync} or a restore to a filesystem reads them as paths too.
     * Trailing slashes are fine: they are dropped ({@link #normalizedPrefix}).
     */
    public static String prefixProblem(String prefix) {
        if (prefix == null) {
            return null;
        }
        String p = prefix.replaceAll("/+$", "");
        String why = ", which stores and tools that map keys to paths read as a path";
        if (p.contains("//")) {
            return "it has an empty segment ('//')" + why;
        }
        for (String segment : p.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '" + segment + "' segment" + why;
            }
        }
        return null;
    }

    /** The key prefix without leading or trailing slashes; empty for the bucket root. */
    public String normalizedPrefix() {
        if (prefix == null) {
            return "";
        }
        String p = prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
