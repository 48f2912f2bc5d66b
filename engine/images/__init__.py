"""The local image side of the engine: content store, layers, snapshots, archives.

    store.ContentStore    blobs by digest (the `BlobSink` a registry client writes into) and names
    layers.LayerStore     unpacked layers by diff_id, reference-counted by images and snapshots
    images.ImageService   the entry point: register, get, list, remove images
    snapshots             overlay (and copy) snapshotters that return mounts; mount_all performs them
    archives              docker-save and OCI archives (load, save), import, diff, commit

Everything takes its state root as a parameter; nothing here knows a project.
Unpacking, mounting and committing need root (ownership, device nodes, overlayfs).
"""
