package com.modelfactory.runtime.batch;

import java.nio.file.Path;

/**
 * One image of the input: {@code key} is what its record says as {@code path} (relative to the input
 * folder, or the index line as written) and what resume and sharding go by; {@code file} is where it is read.
 */
public record InputItem(String key, Path file) {
}
