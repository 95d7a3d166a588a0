package com.modelfactory.runtime.batch.ymir;

/** YMIR's executor return codes for monitor.txt (the SDK's code list, ../shared/YMIR.md section 7). */
final class YmirCodes {
    static final int OK = 0;
    static final int CONFIG = 300001;
    static final int DATASET = 300002;
    static final int IMAGE_FORMAT = 300003;
    static final int MODEL = 300004;

    private YmirCodes() {
    }
}
