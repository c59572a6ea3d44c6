package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** A file list stored as an object under the job's state prefix, so that etcd holds only small objects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ManifestRef {

    @Size(max = 1024)
    @JsonPropertyDescription("Object key of the manifest (JSON lines of files) in the destination bucket.")
    public String key;

    @JsonPropertyDescription("Number of files in the manifest.")
    public Integer files;

    @JsonPropertyDescription("Number of bytes of those files.")
    public Long bytes;
}
