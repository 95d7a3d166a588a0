package com.modelfactory.runtime.fetch;

/**
 * The archive was refused: an entry escaping the target folder ({@code ../}, an absolute path, a link
 * pointing outside), more entries or more unpacked bytes than the limits allow, an entry type that is not
 * a file, folder or link, or a corrupt archive. Nothing of it is kept.
 */
public class UnsafeArchiveException extends ModelAcquisitionException {
    public UnsafeArchiveException(String message) {
        super(message);
    }

    public UnsafeArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
