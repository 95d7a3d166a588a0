package com.modelfactory.runtime.answer;

import java.util.List;

/**
 * Class names by class id: {@code names.get(id - firstId)}, else the id as text. The first id is 1 for
 * label maps that start there (the TF Object Detection API), else 0.
 */
public record Labels(List<String> names, int firstId, String source) {
    public Labels {
        names = List.copyOf(names);
    }

    public static final Labels NONE = new Labels(List.of(), 0, "none");

    public String of(int classId) {
        int i = classId - firstId;
        return i >= 0 && i < names.size() ? names.get(i) : Integer.toString(classId);
    }

    /** Whether the list names this id (YMIR drops classes its class_names lack). */
    public boolean names(int classId) {
        int i = classId - firstId;
        return i >= 0 && i < names.size();
    }
}
