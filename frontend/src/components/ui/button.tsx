import type { ComponentProps } from 'react';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';
const styles: Record<Variant, string> = {
  primary: 'bg-amber-700 text-white active:bg-amber-800 disabled:bg-stone-400',
  secondary: 'bg-white text-stone-900 border border-stone-300 active:bg-stone-100 disabled:text-stone-400',
  danger: 'bg-red-700 text-white active:bg-red-800 disabled:bg-stone-400',
  ghost: 'bg-transparent text-amber-800 active:bg-amber-50',
};

export function Button({ variant = 'primary', className = '', ...props }: ComponentProps<'button'> & { variant?: Variant }) {
  return (
    <button
      type="button"
      {...props}
      className={`min-h-12 rounded-xl px-4 text-base font-semibold select-none disabled:cursor-not-allowed ${styles[variant]} ${className}`}
    />
  );
}
