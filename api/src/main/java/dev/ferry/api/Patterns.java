package dev.ferry.api;

/** Schema patterns shared by several fields, so that one spelling of a quantity or duration holds everywhere. */
public final class Patterns {
    /** A byte quantity: a whole number with an optional binary or decimal suffix ("64Mi", "1G", "1048576"). */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|K|M|G|T|P)?$";
    /** A duration in Go's notation ("30s", "5m", "1h30m"). */
    public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
    /** An S3 bucket name (3–63 characters: lower-case letters, digits, dots and hyphens). */
    public static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
    /** An http(s) URL of an S3 endpoint. */
    public static final String ENDPOINT = "^https?://[^\\s/$.?#][^\\s]*$";
    /** A DNS-1123 name (Secrets, PVCs). */
    public static final String DNS_NAME = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

    private Patterns() {
    }
}
