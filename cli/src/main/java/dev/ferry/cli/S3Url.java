package dev.ferry.cli;

import dev.ferry.api.DestinationSpec;
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
        // The job's own rules (spec.destination.prefix), told before anything starts
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("destination " + url + ": the key prefix must not start with '/' (keys are"
                    + " relative to the bucket): write s3://" + bucket + "/" + prefix.replaceAll("^/+", ""));
        }
        String problem = DestinationSpec.prefixProblem(prefix);
        if (problem != null) {
            throw new IllegalArgumentException("destination " + url + ": the key prefix '" + prefix + "' is no key"
                    + " prefix Ferry writes: " + problem);
        }
        if (prefix.length() > DestinationSpec.MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("destination " + url + ": the key prefix has " + prefix.length()
                    + " characters, at most " + DestinationSpec.MAX_PREFIX_LENGTH + " are allowed");
        }
        return new S3Url(bucket, prefix);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
