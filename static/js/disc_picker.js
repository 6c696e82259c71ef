// Disc picker: click a disc on the sagittal reformat or an axial slice; the voxel indices go to
// the server, which converts them to patient coordinates with the image's affine.
(function () {
  const root = document.getElementById("disc-picker");
  if (!root) return;
  const nz = Number(root.dataset.nz);
  const stretch = Number(root.dataset.stretch);
  const sagittal = document.getElementById("sagittal");
  const axial = document.getElementById("axial");
  const range = document.getElementById("slice-range");
  const number = document.getElementById("slice-number");
  const note = document.getElementById("pick-note");
  const save = document.getElementById("save-disc");
  const sliceUrl = (k) => root.dataset.sliceUrl.replace(/\/0\.png$/, "/" + k + ".png");

  function pick(i, j, k) {
    document.getElementById("pick-i").value = i.toFixed(2);
    document.getElementById("pick-j").value = j.toFixed(2);
    document.getElementById("pick-k").value = k.toFixed(2);
    note.textContent = "Picked voxel (" + i.toFixed(1) + ", " + j.toFixed(1) + ", slice " + (k + 1).toFixed(1) + ")";
    save.disabled = false;
  }
  function scale(img, event) {
    const box = img.getBoundingClientRect();
    return [(event.clientX - box.left) * img.naturalWidth / box.width,
            (event.clientY - box.top) * img.naturalHeight / box.height];
  }
  range.addEventListener("input", () => {
    axial.src = sliceUrl(range.value);
    number.textContent = Number(range.value) + 1;
  });
  sagittal.addEventListener("click", (event) => {
    const [x, y] = scale(sagittal, event);
    const k = nz - 1 - (y / stretch - 0.5);
    const slice = Math.min(nz - 1, Math.max(0, k));
    range.value = Math.round(slice);
    range.dispatchEvent(new Event("input"));
    pick(Number(sagittal.dataset.i), x, slice);
  });
  axial.addEventListener("click", (event) => {
    const [x, y] = scale(axial, event);
    pick(x, y, Number(range.value));
  });
})();
