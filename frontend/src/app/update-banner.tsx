import { useEffect, useState } from 'react';
import { applyUpdate, swEvents } from './register-sw';

export function UpdateBanner() {
  const [needRefresh, setNeedRefresh] = useState(false);
  useEffect(() => {
    const on = () => setNeedRefresh(true);
    swEvents.addEventListener('need-refresh', on);
    return () => swEvents.removeEventListener('need-refresh', on);
  }, []);
  if (!needRefresh) return null;
  return (
    <div className="flex items-center gap-3 rounded-xl bg-sky-700 p-3 text-white" role="status">
      <span className="flex-1 text-sm">A new version of the app is ready. Finish what you are entering, then update.</span>
      <button type="button" className="min-h-12 rounded-lg bg-white px-4 font-semibold text-sky-800" onClick={applyUpdate}>
        Update
      </button>
    </div>
  );
}
