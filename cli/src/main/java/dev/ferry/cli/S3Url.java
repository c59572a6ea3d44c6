package dev.ferry.cli;

import dev.ferry.api.Patterns;

/** A destination written as s3://BUCKET[/PREFIX]. */
record S3Url(String bucket, String prefix) {

    static S3Url parse(String url) {
        if (url == null || !url.startsWith("s3://")) {
            throw new IllegalArgumentException("destination must look like s3://BUCKET[/PREFIX], got '" + url + "'");
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        if (!bucket.matches(Patterns.BUCKET)) {
            throw new IllegalArgumentException("'" + bucket + "' is not a valid bucket name "
                    + "(3-63 characters: lower-case letters, digits, dots and hyphens)");
        }
        return new S3Url(bucket, prefix);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
